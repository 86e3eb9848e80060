"""Write samples/data/iris.csv and samples/data/digits.csv once, from the copies scikit-learn ships.

    pip install scikit-learn && python samples/extract_datasets.py

scikit-learn is needed only for this one-off extraction; nnstudio never imports it.  Both datasets come from
the UCI Machine Learning Repository under CC BY 4.0:

- Iris: R. A. Fisher (1936), https://doi.org/10.24432/C56C76 — 150 flowers, 4 measurements in cm, 3 species;
- Optical Recognition of Handwritten Digits: E. Alpaydin and C. Kaynak (1998), https://doi.org/10.24432/C50P49 —
  the 1,797 8×8 images (pixel counts 0–16) of its test part, as scikit-learn's ``load_digits``.
"""

from __future__ import annotations

import csv
from pathlib import Path

from sklearn.datasets import load_digits, load_iris

DATA = Path(__file__).resolve().parent / "data"


def write(path: Path, header: list[str], rows) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main() -> None:
    DATA.mkdir(exist_ok=True)
    iris = load_iris()
    names = ["sepal length", "sepal width", "petal length", "petal width"]
    species = [str(s) for s in iris.target_names]
    write(DATA / "iris.csv", [*names, "species"],
          ([f"{v:g}" for v in row] + [species[t]] for row, t in zip(iris.data, iris.target, strict=True)))
    digits = load_digits()
    pixels = [f"r{r}c{c}" for r in range(8) for c in range(8)]
    write(DATA / "digits.csv", [*pixels, "digit"],
          ([str(int(v)) for v in row] + [str(t)] for row, t in zip(digits.data, digits.target, strict=True)))


if __name__ == "__main__":
    main()
