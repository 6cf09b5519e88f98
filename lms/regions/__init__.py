"""Provinces and kabupaten/kota with their Kemendagri codes and time zones."""
