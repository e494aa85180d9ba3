"""The policy ratios of the 2025 national notice, pass/fail and margins, vectorised over designs.

Definitions follow DESIGN §2 and 发改能源〔2025〕650号: both shares of generation use the
*total available* generation, curtailment included, so that curtailing more never makes a
project look better.
"""

from __future__ import annotations

import numpy as np

from gpdc.accounting.energy import share
from gpdc.errors import InputError


def policy_metrics(
    energy: dict[str, np.ndarray],
    min_self_use_frac: float | np.ndarray,
    min_green_share_of_load_frac: float | np.ndarray,
    max_export_frac: float | np.ndarray,
    *,
    self_use_metering: str = "user_bus",
    line_loss_frac: float | np.ndarray = 0.0,
) -> dict[str, np.ndarray]:
    """Return the policy ratios, pass/fail flags and margins to each threshold.

    Margins are positive when the rule is met: ``self_use_margin = self_use_share − min``,
    ``green_share_margin = green_share_of_load − min``, ``export_margin = max − export_share``.

    ``self_use_metering`` says where the self-use share's numerator is metered: ``user_bus``
    counts the green energy used on site (after the dedicated line's loss); ``plant`` the
    energy that left the plants for it, ``self_used / (1 − line_loss_frac)`` (688号's
    generation-minus-export formula, counting only the line loss of the self-used energy; the
    denominator, total available generation, is at the plants either way).  The green share
    of load is at the user bus under both.
    """
    gen = energy["gen_avail_mwh"]
    load = energy["load_mwh"]
    used = energy["self_used_mwh"]
    if self_use_metering == "plant":
        used_at_plant = used / (1.0 - np.asarray(line_loss_frac, dtype=np.float64))
    elif self_use_metering == "user_bus":
        used_at_plant = used
    else:
        raise InputError(f"self_use_metering = {self_use_metering!r} is invalid: must be 'plant' or 'user_bus'")
    m: dict[str, np.ndarray] = {}
    m["self_use_share"] = share(used_at_plant, gen)
    m["green_share_of_load"] = share(used, load)
    m["export_share"] = share(energy["export_mwh"], gen)
    m["curtailment_rate"] = share(energy["curtail_line_mwh"] + energy["curtail_bus_mwh"], gen)
    m["utilisation_rate"] = 1.0 - m["curtailment_rate"]
    # green energy used on site is matched hour by hour by construction (it never exceeds the
    # hour's load), so the hourly-matched (24/7 CFE) share is the green share of load.
    m["hourly_match_share"] = m["green_share_of_load"].copy()
    m["annual_match_share"] = share(np.minimum(gen, load), load)
    m["self_use_margin"] = m["self_use_share"] - min_self_use_frac
    m["green_share_margin"] = m["green_share_of_load"] - min_green_share_of_load_frac
    m["export_margin"] = max_export_frac - m["export_share"]
    # NaN (no generation or no load) compares False: such a project does not comply
    m["meets_self_use"] = m["self_use_margin"] >= 0.0
    m["meets_green_share"] = m["green_share_margin"] >= 0.0
    # judged on energies, so that exporting nothing meets the cap even with no generation;
    # tolerate rounding of the running cap (cumulative sums) at 1e-12 of generation
    m["meets_export_cap"] = energy["export_mwh"] <= (max_export_frac + 1e-12) * gen
    m["compliant"] = m["meets_self_use"] & m["meets_green_share"] & m["meets_export_cap"]
    return m
