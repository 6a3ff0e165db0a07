"""Readers turn raw bytes into `Page`s: decoding, sniffing and rendering."""
