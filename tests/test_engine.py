"""Kernel inputs are checked once, at the boundary, with messages that say what is wrong."""

from __future__ import annotations

import numpy as np
import pytest

from gpdc import engine
from gpdc.errors import ProfileError
from gpdc.kernels import layout as L

H = 24


def good() -> dict[str, np.ndarray]:
    p = np.zeros(L.N_PARAMS)
    p[L.P_ETA_CHARGE] = p[L.P_ETA_DISCHARGE] = 1.0
    p[L.P_GRID_CHARGE_PRICE] = -np.inf
    return {"cf_wind": np.full(H, 0.3), "cf_solar": np.full(H, 0.2), "load_mw": np.full(H, 5.0),
            "price_import": np.full(H, 400.0), "price_export": np.full(H, 250.0), "params": p}


def test_good_inputs_are_packed_contiguous_float64() -> None:
    inputs = engine.make_inputs(**good())
    assert inputs.n_hours == H and inputs.n_scen == 1
    assert inputs.params.flags.c_contiguous and inputs.params.shape == (L.N_PARAMS, 1)
    assert engine.run_totals(inputs).shape == (1, L.N_TOTALS)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("cf_wind", np.full(H, 1.2), "cf_wind[0] = 1.2 is invalid: must be finite and within [0.0, 1.0]"),
        ("cf_solar", np.r_[np.zeros(5), np.nan, np.zeros(H - 6)], "cf_solar[5] = nan is invalid"),
        ("load_mw", np.full(H, -1.0), "load_mw[0] = -1.0 is invalid"),
        ("price_import", np.full(H - 1, 400.0), "price_import has shape (23,); expected (24,)"),
    ],
)
def test_bad_profiles(field: str, value: np.ndarray, message: str) -> None:
    args = good()
    args[field] = value
    with pytest.raises(ProfileError, match=message.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")):
        engine.make_inputs(**args)


def test_bad_params_and_step() -> None:
    args = good()
    args["params"] = np.zeros(5)
    with pytest.raises(ValueError, match=r"params has shape \(5, 1\); expected \(18,\) or \(18, n_scen\)"):
        engine.make_inputs(**args)
    args = good()
    args["params"][L.P_WIND_MW] = np.nan
    with pytest.raises(ValueError, match="parameter wind_mw of scenario 0 is nan: must be finite"):
        engine.make_inputs(**args)
    with pytest.raises(ValueError, match=r"dt_h = 0.0 is invalid: must be a finite number > 0 \[h\]"):
        engine.make_inputs(**good(), dt_h=0.0)
    empty = {k: (v[:0] if k != "params" else v) for k, v in good().items()}
    with pytest.raises(ProfileError, match="profiles are empty"):
        engine.make_inputs(**empty)
