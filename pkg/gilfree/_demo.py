def main(quick=False):
    return 0
