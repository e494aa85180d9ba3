"""The description of a PV plant per MW AC (:class:`PVSystem`) that both PV model chains take."""

from __future__ import annotations

from dataclasses import dataclass, replace

from gpdc.errors import ProfileError
from gpdc.profiles.calibrate import default

__all__ = ["PV_MODELS", "PVSystem"]

#: PV model chains: gpdc's own (default) and the model choices of NREL PVWatts v8.
PV_MODELS = ("gpdc", "pvwatts_v8")


@dataclass(frozen=True)
class PVSystem:
    """A PV plant per MW AC.  ``None`` fields take ``profile_defaults.csv`` values.

    Attributes
    ----------
    tracking : {"fixed", "single_axis"}
        Fixed tilt, or single-axis trackers on a north-south axis with backtracking.
    tilt_deg, azimuth_deg : float, optional
        Fixed plane [degree]; default tilt ``|latitude|``, azimuth facing the equator.
    dc_ac_ratio : float, optional
        DC module rating per AC rating [-].
    losses_frac : float, optional
        DC system losses [-] (PVWatts: soiling, wiring, mismatch, availability, ...).
    temp_coeff_per_c : float, optional
        Power temperature coefficient [1/degC].
    max_angle_deg, gcr : float
        Tracker rotation limit [degree] and ground coverage ratio [-] (backtracking; with
        ``model = "pvwatts_v8"`` also the row self-shading of fixed rows and trackers).
    model : {"gpdc", "pvwatts_v8"}
        Model chain: gpdc's (module docstring) or PVWatts v8's (:mod:`gpdc.profiles.pvwatts_v8`,
        which uses PVWatts' standard module, so ``temp_coeff_per_c`` must stay unset).
    """

    tracking: str = "fixed"
    tilt_deg: float | None = None
    azimuth_deg: float | None = None
    dc_ac_ratio: float | None = None
    losses_frac: float | None = None
    temp_coeff_per_c: float | None = None
    max_angle_deg: float = 60.0
    gcr: float = 0.35
    model: str = "gpdc"

    def filled(self, latitude_deg: float) -> PVSystem:
        """Return a copy with every default filled in for a site at ``latitude_deg``."""
        if self.tracking not in ("fixed", "single_axis"):
            raise ProfileError(f"tracking = {self.tracking!r} is invalid: must be 'fixed' or 'single_axis'")
        if self.model not in PV_MODELS:
            raise ProfileError(f"pv_model = {self.model!r} is invalid: must be one of "
                               f"{', '.join(map(repr, PV_MODELS))}")
        if self.model == "pvwatts_v8" and self.temp_coeff_per_c not in (None, default("solar_temp_coeff_per_c")):
            raise ProfileError(
                f"temp_coeff_per_c = {self.temp_coeff_per_c!r} is invalid with pv_model = 'pvwatts_v8': that model "
                f"uses PVWatts' standard module (CEC single-diode parameters, about "
                f"{default('solar_temp_coeff_per_c'):g}/degC); leave it unset or use pv_model = 'gpdc'")
        return replace(
            self,
            tilt_deg=abs(latitude_deg) if self.tilt_deg is None else self.tilt_deg,
            azimuth_deg=(180.0 if latitude_deg >= 0 else 0.0) if self.azimuth_deg is None else self.azimuth_deg,
            dc_ac_ratio=default("solar_dc_ac_ratio") if self.dc_ac_ratio is None else self.dc_ac_ratio,
            losses_frac=default("solar_losses_frac") if self.losses_frac is None else self.losses_frac,
            temp_coeff_per_c=default("solar_temp_coeff_per_c") if self.temp_coeff_per_c is None
            else self.temp_coeff_per_c,
        )

    def describe(self) -> str:
        """One line for provenance."""
        plane = (f"single-axis tracking (N-S axis, max {self.max_angle_deg:g} deg, GCR {self.gcr:g}, backtracking)"
                 if self.tracking == "single_axis"
                 else f"fixed tilt {self.tilt_deg:g} deg azimuth {self.azimuth_deg:g}")
        if self.model == "pvwatts_v8":
            return (f"PVWatts v8 model choices (SPA sun with sunrise/sunset hours, Perez as PVWatts, row "
                    f"self-shading at GCR {self.gcr:g}, De Soto cover on beam and diffuse, spectral modifier, NOCT "
                    f"cell temperature, CEC standard module, Sandia inverter), {plane}, DC/AC {self.dc_ac_ratio:g}, "
                    f"losses {self.losses_frac:g}, inverter eff {default('solar_inverter_efficiency_frac'):g}")
        return (f"{plane}, DC/AC {self.dc_ac_ratio:g}, losses {self.losses_frac:g}, "
                f"gamma {self.temp_coeff_per_c:g}/degC, inverter eff {default('solar_inverter_efficiency_frac'):g}")
