"""Long work with progress: exports (and other long tasks) that run on the worker while the
person watches a job page; the result is kept in upload storage and downloaded from it."""
