"""Number files: reading CSV/XLSX uploads and importing their rows into tasks."""
