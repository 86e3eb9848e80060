"""Training settings: everything that shapes a run, their ranges and their checks (re-exported by training.py)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from .losses import get_loss
from .network import DTYPES
from .optimizers import OPTIMIZERS

#: the lowest and highest value of each numeric setting: what the GUI's controls can show (rate: above 0)
SETTING_RANGES: dict[str, tuple[float, float]] = {
    "rate": (0.0, 1e6),
    "epochs": (1, 2**31 - 1),
    "target_error": (0.0, 1e6),
    "momentum": (0.0, 0.999),
    "batch_size": (1, 2**31 - 1),
    "l1": (0.0, 10.0),
    "l2": (0.0, 10.0),
    "patience": (0, 2**31 - 1),
    "max_seconds": (0.0, 1e9),
    "speed": (0.0, 1e6),
    "seed": (0, 2**31 - 1),
}
_WHOLE_SETTINGS = {"epochs", "batch_size", "patience", "seed"}
_SETTING_TITLES = {"rate": "learning rate", "epochs": "max epochs", "target_error": "target error",
                   "batch_size": "batch size", "l1": "L1", "l2": "L2", "max_seconds": "time limit",
                   "seed": "shuffle seed", "momentum": "momentum", "patience": "patience", "speed": "speed"}


def _number(x: float) -> str:
    """A bound as a person reads it: 2,147,483,647 and 1,000,000 rather than 2.14748e+09 and 1e+06."""
    return f"{int(x):,}" if float(x).is_integer() else f"{x:g}"


@dataclass
class TrainSettings:
    """Everything that shapes a training run; ``batch_size`` None means full batch."""

    # Defaults: full-batch gradient descent at rate 4 with cross-entropy (cost "auto") and Glorot-normal
    # initial weights solve XOR 2-3-1 for 398 of 400 seeds in a median 570 epochs; momentum, Adam and
    # online variants all stalled more often on XOR's plateau (two patterns stuck at 0.5).
    rate: float = 4.0
    epochs: int = 5000
    target_error: float = 0.005
    cost: str = "auto"  # see resolve_cost
    optimizer: str = "sgd"
    momentum: float = 0.9
    batch_size: int | None = None
    shuffle: bool = True
    l1: float = 0.0
    l2: float = 0.0
    patience: int = 0  # epochs without improvement before stopping; 0 = never
    max_seconds: float = 0.0  # 0 = no limit
    speed: float = 0.0  # epochs per second the GUI paces a run at (see core.pacing); 0 = as fast as possible
    schedule: dict | None = None  # {"kind": "step", "every": N, "factor": f}
    seed: int = 0  # shuffling seed
    dtype: str = "float64"  # "float64" or "float32": parameters, data and all arithmetic of the run

    def validate(self) -> None:
        if self.cost != "auto":
            get_loss(self.cost)
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.optimizer!r}; choose one of: {', '.join(OPTIMIZERS)}")
        for name, (low, high) in SETTING_RANGES.items():
            value = getattr(self, name)
            if name == "batch_size" and value is None:
                continue
            whole = name in _WHOLE_SETTINGS
            kinds = (int,) if whole else (int, float)
            # comparisons first: they are exact for any int and false for NaN (math.isfinite(10**400) overflows)
            ok = isinstance(value, kinds) and not isinstance(value, bool) and low <= value <= high
            if not ok or (name == "rate" and value <= 0):
                kind = "a whole number" if whole else "a number"
                span = f"above 0 and at most {_number(high)}" if name == "rate" else (
                    f"from {_number(low)} to {_number(high)}")
                raise ValueError(f"{_SETTING_TITLES[name]} must be {kind} {span}, not {value!r}")
        if self.dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {', '.join(DTYPES)}, not {self.dtype!r}")
        if self.schedule is not None:
            every, factor = self.schedule.get("every"), self.schedule.get("factor", 0.5)
            if (self.schedule.get("kind") != "step" or not isinstance(every, int) or isinstance(every, bool)
                    or not 1 <= every <= 2**31 - 1 or not isinstance(factor, (int, float)) or isinstance(factor, bool)
                    or not 0 < factor <= 10):
                raise ValueError('schedule must be {"kind": "step", "every": N from 1 to 2147483647, '
                                 '"factor": f above 0 to 10}')

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> TrainSettings:
        known = {f.name for f in fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown training setting(s): {', '.join(sorted(unknown))}")
        settings = cls(**d)
        settings.validate()
        return settings
