"""Readers for NHS Digital / NHS England general-practice data, as published."""
