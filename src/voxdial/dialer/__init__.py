"""The dialer: claims due numbers inside their windows, places calls under the caps,
records outcomes, and moves tasks to their end states."""
