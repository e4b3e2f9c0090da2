from pathlib import Path

# Hand-written edge-case files (a few lines each) live at the repository's tests/fixtures/handmade,
# apart from the real data, which is never committed and is read from ../shared/data.
HANDMADE_FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "handmade"
