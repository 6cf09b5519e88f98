"""An outside plugin for Living Lab LMS: an externally scored activity and a question type."""
