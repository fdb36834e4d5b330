"""Side-by-side cases of gilfree.conv for the showcase (filled in below)."""


def cases(quick: bool):
    return []
