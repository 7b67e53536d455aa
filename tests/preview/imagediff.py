"""Screenshot comparison with a tolerance: font rasterisation may differ between Chromium builds
and machines, layout must not. Both images are reduced to 8x8-pixel blocks (box average); a block
differs when its mean channel difference exceeds BLOCK_DELTA. Text shifting by a pixel changes a
block's average a little; a panel that moves, resizes, loses its chart or changes colour changes
whole blocks."""

from PIL import Image, ImageChops

BLOCK = 8
BLOCK_DELTA = 24  # of 255, mean over a block's pixels and channels
MAX_CHANGED = 0.01  # share of blocks allowed to differ


def changed_share(a_path, b_path) -> float:
    a = Image.open(a_path).convert("RGB")
    b = Image.open(b_path).convert("RGB")
    if a.size != b.size:
        return 1.0
    diff = ImageChops.difference(a.reduce(BLOCK), b.reduce(BLOCK)).convert("L")
    hist = diff.histogram()
    total = sum(hist)
    return sum(hist[BLOCK_DELTA + 1 :]) / total if total else 0.0


def similar(a_path, b_path) -> tuple[bool, float]:
    share = changed_share(a_path, b_path)
    return share <= MAX_CHANGED, share
