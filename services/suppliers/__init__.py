"""Writes about suppliers: their Trade Assurance limits."""
