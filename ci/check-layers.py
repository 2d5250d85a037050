#!/usr/bin/env python3
"""Each source file may include only headers of its own layer or below."""
import pathlib
import re
import sys

LAYERS = ["util", "images", "infect", "engine", "res", "cmd"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z]+)/')

def main():
    bad = 0
    src = pathlib.Path(__file__).resolve().parent.parent / "src"
    for path in sorted(src.glob("*/*.[ch]")):
        layer = path.parent.name
        if layer not in LAYERS:
            continue
        rank = LAYERS.index(layer)
        for n, line in enumerate(path.read_text().splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            dep = m.group(1)
            # pie headers are the blob's ABI, shared with whoever loads it
            if dep == "pie":
                if rank < LAYERS.index("engine"):
                    print(f"{path.relative_to(src)}:{n}: {layer} must not include pie/")
                    bad += 1
                continue
            if dep not in LAYERS or LAYERS.index(dep) > rank:
                print(f"{path.relative_to(src)}:{n}: layer {layer} includes {dep}/")
                bad += 1
    if bad:
        sys.exit(1)
    print("layers: ok")

if __name__ == "__main__":
    main()
