"""An on-disk cache of synthetic profiles: a run of a ready scenario need not import pvlib.

Why: the synthetic year of a scenario costs 0.6-0.9 s of CPU — pvlib (and scipy with it) to
import, then the solar position, clear sky, PV and wind chains — and is the same every time the
same inputs are run.  A warm ``gpdc run`` of a ready scenario takes half that in all.

What: :func:`synthetic` returns the profiles of :func:`gpdc.profiles.synthetic_profiles` for
its keyword arguments, from ``<cache>/profiles/<key>.npz`` when the file is there and sound,
else built and then stored.  The key is a SHA-256 of the arguments (``repr``: the plants are
dataclasses of numbers and names, floats written exactly) and of the code and data that make
the profiles: every file of ``gpdc/profiles`` and ``gpdc/scenario`` (tables and data) and the
shared modules they import (:data:`_SHARED`), the gpdc
version and the versions of numpy, pandas, pvlib, windpowerlib and scipy.  Change any of them
and the key changes.  The build's checks of its inputs (a hub far above the reference height:
a warning) run on a hit too.

Where: ``$GPDC_CACHE_DIR/profiles``, else ``$XDG_CACHE_HOME/gpdc/profiles``, else
``~/.cache/gpdc/profiles``; ``GPDC_PROFILE_CACHE=0`` turns it off.  Files are written under a
temporary name and renamed into place, so a reader never sees half a file; a file that cannot
be read, or holds another key or wrong shapes, is a miss (built again and replaced); a cache
folder that cannot be written is no error (the profiles are only not kept).  At most
:data:`MAX_ENTRIES` files are kept, the least recently written removed first.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from gpdc.profiles.types import ProfileSet, hourly_index

__all__ = ["MAX_ENTRIES", "cache_dir", "code_fingerprint", "key_of", "synthetic"]

log = logging.getLogger(__name__)

#: files kept in the cache folder (about 0.2 MB each for a year of 8760 hours)
MAX_ENTRIES = 256
#: the layout of the cache files; a change of it changes every key
FORMAT = 1
_SERIES = ("cf_wind", "cf_solar", "load_mw")
_PACKAGES = ("numpy", "pandas", "pvlib", "windpowerlib", "scipy")
#: modules outside gpdc/profiles and gpdc/scenario that building profiles imports (units, file checks)
_SHARED = ("units.py", "input_files.py", "errors.py")


def cache_dir() -> Path | None:
    """The folder of cached profiles, or None when the cache is turned off (``GPDC_PROFILE_CACHE=0``)."""
    if os.environ.get("GPDC_PROFILE_CACHE", "1").strip().lower() in ("0", "false", "no", "off"):
        return None
    base = os.environ.get("GPDC_CACHE_DIR")
    if base:
        return Path(base) / "profiles"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "gpdc" / "profiles"


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "absent"


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """SHA-256 of what makes synthetic profiles besides their arguments: gpdc's profile code and data, package versions."""
    from gpdc._version import __version__

    h = hashlib.sha256(f"format {FORMAT}; gpdc {__version__}\n".encode())
    for package in _PACKAGES:
        h.update(f"{package} {_version(package)}\n".encode())
    root = Path(__file__).resolve().parents[1]
    paths = [path for folder in ("profiles", "scenario") for path in sorted((root / folder).rglob("*"))
             if path.suffix in (".py", ".csv", ".json", ".toml") and "__pycache__" not in path.parts]
    paths += [root / name for name in _SHARED]
    for path in paths:
        h.update(str(path.relative_to(root)).encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def key_of(inputs: Mapping[str, Any]) -> str:
    """The cache key of :func:`gpdc.profiles.synthetic_profiles`'s keyword arguments."""
    text = repr(sorted(inputs.items()))
    return hashlib.sha256(f"{code_fingerprint()}\n{text}".encode()).hexdigest()


def _cacheable(inputs: Mapping[str, Any]) -> bool:
    # a user's power-curve file is read by the build: its contents are not in the key
    return getattr(inputs.get("wind"), "power_curve_path", None) is None


def _load(path: Path, key: str) -> ProfileSet | None:
    try:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"][()]))
            series = {name: np.array(z[name], dtype=np.float64) for name in _SERIES}
        if meta.get("key") != key:
            return None
        time = hourly_index(int(meta["year"]), str(meta["timezone"]))
        if any(arr.shape != (len(time),) for arr in series.values()):
            return None
        sources = {str(k): str(v) for k, v in dict(meta["sources"]).items()}
        return ProfileSet(time=time, sources=sources, **series)
    except FileNotFoundError:
        return None
    except Exception as exc:  # noqa: BLE001 - a damaged file (truncated, foreign, edited) is a miss
        log.debug("profile cache file %s unusable (%s: %s); building the profiles", path, type(exc).__name__, exc)
        return None


def _store(folder: Path, path: Path, key: str, inputs: Mapping[str, Any], prof: ProfileSet) -> None:
    year, timezone = int(inputs["year"]), str(inputs["timezone"])
    if not prof.time.equals(hourly_index(year, timezone)) or str(prof.time.tz) != str(hourly_index(year, timezone).tz):
        return
    meta = json.dumps({"key": key, "year": year, "timezone": timezone, "sources": dict(prof.sources)})
    tmp: str | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{key[:16]}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, meta=np.array(meta), **{name: getattr(prof, name) for name in _SERIES})
        os.replace(tmp, path)
        tmp = None
        _prune(folder)
    except OSError as exc:
        log.debug("profile cache %s not written (%s)", folder, exc)
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _prune(folder: Path) -> None:
    entries = []
    for p in folder.glob("*.npz"):
        try:
            entries.append((p.stat().st_mtime_ns, p))
        except OSError:
            continue
    for _, p in sorted(entries, reverse=True)[MAX_ENTRIES:]:
        try:
            p.unlink()
        except OSError:
            pass


def synthetic(build: Callable[..., ProfileSet], inputs: Mapping[str, Any],
              checks: Callable[[], None] | None = None) -> ProfileSet:
    """``build(**inputs)``, from the cache when it holds these inputs' profiles (see the module docstring).

    ``checks`` are the build's own checks of its inputs (the warnings and errors it gives before it
    builds anything): run on a hit, so that a hit warns and fails as a build would.
    """
    folder = cache_dir()
    if folder is None or not _cacheable(inputs):
        return build(**inputs)
    key = key_of(inputs)
    path = folder / f"{key}.npz"
    prof = _load(path, key)
    if prof is not None:
        if checks is not None:
            checks()
        return prof
    prof = build(**inputs)
    _store(folder, path, key, inputs, prof)
    return prof
