"""The catalog of regional good practices (*Katalog Praktik Baik*)."""
