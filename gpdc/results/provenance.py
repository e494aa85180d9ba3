"""What makes a results file self-describing: one builder for run files and sweep files.

:func:`scenario_attrs` describes the inputs of a prepared scenario — its TOML text, every
resolved world number with its source, the profile sources, the policy thresholds, the storage
dispatch strategy (``storage_strategy``; with ``lookahead`` its horizon and forecast), the fee
regime and tariff, the emission-factor basis, the period — and a hash of the inputs; a run
file carries them as they are, a sweep file those of its base scenario (group 0) with the
sweep's own description (:func:`sweep_attrs`).
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from gpdc._version import __version__
from gpdc.accounting import period_years
from gpdc.pipeline import Prepared
from gpdc.results import reported
from gpdc.scenario.load import to_toml

RUN_TITLE = "gpdc green power direct connection simulation"
SWEEP_TITLE = "gpdc green power direct connection sweep"
SIZING_TITLE = "gpdc sizing"


def package_version(name: str) -> str:
    """A package's version: its ``__version__`` if it is imported, else its installed metadata's (not imported for it).

    pvlib is imported only to build profiles (:mod:`gpdc.profiles.lazy`), 0.4 s of CPU: a run whose
    profiles come from the cache does not import it to say which version is installed.
    """
    import sys

    module = sys.modules.get(name)
    if module is not None and isinstance(getattr(module, "__version__", None), str):
        return str(module.__version__)
    from importlib.metadata import version

    return version(name)


def version_record() -> dict[str, str]:
    """Versions of gpdc, Python and the numerical stack, for provenance."""
    import h5netcdf
    import h5py
    import numba

    return {
        "gpdc": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "pandas": pd.__version__,
        "scipy": package_version("scipy"),
        "xarray": package_version("xarray"),  # a sweep writes its file without importing xarray
        "h5py": h5py.__version__,
        "h5netcdf": h5netcdf.__version__,
        "pvlib": package_version("pvlib"),
    }


def inputs_hash(text: str, arrays: Mapping[str, np.ndarray]) -> str:
    """SHA-256 of the scenario text and every input array (name, dtype, shape, bytes)."""
    h = hashlib.sha256(text.encode("utf-8"))
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        h.update(f"{name}|{a.dtype.str}|{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def _carbon_attrs(prepared: Prepared) -> dict[str, object]:
    """Attributes that say on which basis the carbon accounts were drawn up."""
    resolved = prepared.resolved
    hourly = prepared.hourly_factors
    em = resolved.scenario.emissions
    account_basis = em.account_basis or ("grid_average" if em.basis == "fossil" else em.basis)
    attrs: dict[str, object] = {
        "emission_factor_basis": em.basis,
        "emission_factor_year": em.factor_year,
        "emission_factor_t_co2_per_mwh": resolved["emission_factor_t_co2_per_mwh"],
        "emission_factor_source": resolved.values["emission_factor_t_co2_per_mwh"].source,
        "emission_factor_confidence": resolved.values["emission_factor_t_co2_per_mwh"].confidence,
        "coal_rate_g_ce_per_kwh": resolved["coal_rate_g_ce_per_kwh"],
        "coal_rate_source": resolved.values["coal_rate_g_ce_per_kwh"].source,
        "count_export_in_avoided": int(em.count_export_in_avoided),
        "account_factor_basis": f"hourly series ({hourly.source})" if hourly is not None else account_basis,
        "account_factor_t_co2_per_mwh": (hourly.mean_t_co2_per_mwh if hourly is not None
                                         else resolved["account_factor_t_co2_per_mwh"]),
        "account_factor_source": (hourly.source if hourly is not None
                                  else resolved.values["account_factor_t_co2_per_mwh"].source),
        "gec_basis": "1 GEC per MWh of green energy delivered over the line (direct + charge_green + export), "
                     "发改能源〔2023〕1044号",
    }
    for name in ("eu_carbon_price_eur_per_t_co2", "exchange_rate_yuan_per_eur",
                 "china_carbon_price_paid_yuan_per_t_co2"):
        attrs[name] = resolved[name]
        attrs[f"{name}_source"] = resolved.values[name].source
    return attrs


def scenario_attrs(prepared: Prepared) -> dict[str, Any]:
    """The attributes that describe a prepared scenario's inputs (see the module docstring)."""
    resolved = prepared.resolved
    sc = prepared.scenario
    inputs = prepared.inputs
    toml_text = to_toml(sc)
    arrays = {"cf_wind": inputs.cf_wind, "cf_solar": inputs.cf_solar, "load_mw": inputs.load_mw,
              "price_import": inputs.price_import, "price_export": inputs.price_export, "params": inputs.params,
              "tou_multiplier": inputs.tou_multiplier}
    if prepared.hourly_factors is not None:
        arrays["factor_t_co2_per_mwh"] = prepared.hourly_factors.factor_t_co2_per_mwh
    attrs: dict[str, Any] = {
        "gpdc_version": __version__,
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "scenario_name": sc.name,
        "scenario_toml": toml_text,
        "profile_sources": json.dumps(dict(prepared.profiles.sources), ensure_ascii=False),
        "resolved_inputs": json.dumps(resolved.provenance(), ensure_ascii=False),
        "inputs_sha256": inputs_hash(toml_text, arrays),
        "version_record": json.dumps(version_record()),
    }
    if sc.reported:
        attrs[reported.ATTR] = reported.attrs_json(sc.reported)
    for k in ("min_self_use_frac", "min_green_share_of_load_frac", "max_export_frac"):
        attrs[f"policy_{k}"] = float(resolved[k])
    attrs.update({
        "policy_rule_set": sc.policy.rule_set,
        "policy_rule_description": resolved.rule_description,
        "storage_strategy": sc.storage.strategy,
        **({"lookahead_h": float(sc.storage.lookahead_h), "lookahead_forecast": sc.storage.forecast}
           if sc.storage.strategy == "lookahead" else {}),
        "export_cap_rule": sc.grid.export_cap_rule,
        "export_cap_frac": resolved["export_cap_frac"],
        "fee_regime": sc.tariff.fee_regime,
        "fee_regime_description": resolved.fee_regime.description,
        "basic_charge_basis": resolved.basic_charge_basis,
        "tou_schedule": resolved.tou_schedule,
        "tou_float_components": ",".join(resolved.tou_float),
        "tou_float_source": resolved.tou_float_source,
        "policy_self_use_metering": resolved.self_use_metering,
        **_carbon_attrs(prepared),
        "year": sc.profiles.year,
        "n_hours": inputs.n_hours,
        "dt_h": inputs.dt_h,
        "period_years": period_years(sc.profiles.year, inputs),
    })
    return attrs


def run_attrs(prepared: Prepared) -> dict[str, Any]:
    """Attributes of a run file: the title and :func:`scenario_attrs`."""
    return {"title": RUN_TITLE, **scenario_attrs(prepared)}


def sweep_attrs(prepared: Prepared, sweep: Mapping[str, Any]) -> dict[str, Any]:
    """Attributes of a sweep file: those of its base scenario (group 0) and the sweep's own (``sweep_*``)."""
    return {
        "title": SWEEP_TITLE,
        **scenario_attrs(prepared),
        **dict(sweep),
        "note": "the scenario attributes are those of the base scenario (group 0); group dimensions (those that "
                "change the hourly inputs) may change resolved numbers; each group's input digest is in "
                "sweep_ledger/group_inputs_sha256",
    }
