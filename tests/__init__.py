"""Tests that span the whole project (browser journeys); app tests live beside their apps."""
