// voxdial console: the microphone as the assistant's websocket wants it, on the audio
// thread. In: the AudioContext's float samples at its own rate (44.1 or 48 kHz, mostly).
// Out (posted to the page): 20 ms frames of 16-bit mono PCM at `processorOptions.rate`.
//
// Downsampling: a low-pass FIR (windowed sinc, Blackman window) below the target's
// Nyquist frequency, so that what the target rate cannot carry does not alias into
// speech, then the output samples are read from the filtered stream by linear
// interpolation at steps of (input rate / target rate), which also serves 44.1 kHz.
// tests/web/test_mic_worklet.py measures both in Chromium.
"use strict";

class MicPcm extends AudioWorkletProcessor {
  constructor(options) {
    super();
    var target = (options && options.processorOptions && options.processorOptions.rate) || 16000;
    this.step = sampleRate / target; // input samples per output sample
    this.frame = new Int16Array(Math.round(target / 50));
    this.filled = 0;
    // cutoff at 0.45 of the target rate (7.2 kHz for 16 kHz), a 2 kHz transition band
    // (0.125 of it): a Blackman window needs about 5.5 / (transition / rate) taps
    var size = 2 * Math.ceil((5.5 * sampleRate) / (0.125 * target) / 2) + 1;
    this.taps = this.step > 1 ? lowPass((0.45 * target) / sampleRate, size) : [1];
    this.history = new Float32Array(this.taps.length);
    this.head = 0;
    this.n = 0; // index of the next input sample
    this.t = 0; // input position of the next output sample
    this.previous = 0;
  }

  filter(x) {
    var taps = this.taps, history = this.history, size = taps.length;
    history[this.head] = x;
    var sum = 0, j = this.head;
    for (var k = 0; k < size; k++) {
      sum += taps[k] * history[j];
      j = j === 0 ? size - 1 : j - 1;
    }
    this.head = this.head + 1 === size ? 0 : this.head + 1;
    return sum;
  }

  emit(value) {
    var v = value > 1 ? 1 : value < -1 ? -1 : value;
    this.frame[this.filled++] = v < 0 ? v * 32768 : v * 32767;
    if (this.filled === this.frame.length) {
      var full = this.frame;
      this.frame = new Int16Array(full.length);
      this.filled = 0;
      this.port.postMessage(full.buffer, [full.buffer]);
    }
  }

  process(inputs) {
    var channel = inputs[0] && inputs[0][0];
    if (!channel) return true;
    for (var i = 0; i < channel.length; i++) {
      var y = this.filter(channel[i]);
      while (this.t <= this.n) {
        var frac = this.t - (this.n - 1); // in (0, 1]: from the previous sample to this one
        this.emit(this.previous + (y - this.previous) * frac);
        this.t += this.step;
      }
      this.previous = y;
      this.n += 1;
    }
    return true;
  }
}

// `size` taps of a low-pass with its cutoff at `cutoff` cycles per sample, gain 1 at 0 Hz.
function lowPass(cutoff, size) {
  var taps = new Float32Array(size), mid = (size - 1) / 2, total = 0;
  for (var k = 0; k < size; k++) {
    var x = k - mid;
    var sinc = x === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
    var w = 0.42 - 0.5 * Math.cos((2 * Math.PI * k) / (size - 1)) +
      0.08 * Math.cos((4 * Math.PI * k) / (size - 1));
    taps[k] = sinc * w;
    total += taps[k];
  }
  for (var m = 0; m < size; m++) taps[m] /= total;
  return taps;
}

registerProcessor("mic-pcm", MicPcm);
