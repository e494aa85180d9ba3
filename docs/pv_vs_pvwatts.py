"""gpdc's PV chains against NREL SAM PVWatts v8 (PySAM) on the two TMY3 files that ship with pvlib.

Run: ``python docs/pv_vs_pvwatts.py`` (needs nrel-pysam: ``pip install '.[test]'``).  Prints

1. the plane-of-array irradiance ratio to SAM's by sun elevation (0-5, 5-10, 10-20, > 20
   degree), for ``pv_model = "gpdc"`` (before) and ``"pvwatts_v8"`` (after);
2. the annual and monthly AC energy deviation from SAM, before and after;
3. what each PVWatts v8 model choice does: the annual (and worst-month) deviation when that
   one step of the ``pvwatts_v8`` chain is replaced by gpdc's choice.

Same system on both sides: DC/AC 1.2, 14 % DC losses, 96 % inverter, albedo 0.2, fixed tilt =
latitude facing south or single-axis trackers (N-S axis, 45 degree limit, backtracking),
ground coverage ratio 0.35; SAM reads the TMY3 file itself (hour averages).  The numbers are
quoted in docs/solar.md.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pvlib

from gpdc.profiles import PVSystem, pv_cf
from gpdc.profiles import pvwatts_v8 as v8
from gpdc.profiles.calibrate import default
from gpdc.profiles.readers import read_weather
from gpdc.profiles.solar import plane_of_array, sun

DATA = Path(pvlib.__file__).parent / "data"
FILES = {"Greensboro 36.1N": (DATA / "723170TYA.CSV", "Etc/GMT+5"),
         "Sand Point 55.3N": (DATA / "703165TY.csv", "Etc/GMT+9")}
BINS = ((0.0, 5.0), (5.0, 10.0), (10.0, 20.0), (20.0, 90.0))
YEAR = 2021
STEPS = ("sun", "transposition", "row_shading", "cover", "spectral", "temperature", "module", "inverter")


def system(tracking: str, model: str) -> PVSystem:
    """Return the compared plant: PVWatts defaults, 45 degree tracker limit, GCR 0.35."""
    return PVSystem(tracking=tracking, dc_ac_ratio=1.2, losses_frac=0.14, max_angle_deg=45.0, gcr=0.35, model=model)


def pysam(path: Path, tracking: str, lat: float) -> dict[str, np.ndarray]:
    """PySAM Pvwattsv8 on the TMY3 file: AC per MW AC [-] and POA [W/m2]."""
    import PySAM.Pvwattsv8 as pv

    m = pv.default("PVWattsNone")
    m.SolarResource.solar_resource_file = str(path)
    m.SolarResource.use_wf_albedo = 0
    m.SolarResource.albedo = [0.2]
    sd = m.SystemDesign
    sd.system_capacity, sd.dc_ac_ratio, sd.inv_eff, sd.losses = 1200.0, 1.2, 96.0, 14.0
    sd.array_type, sd.module_type, sd.azimuth, sd.gcr, sd.rotlim = (0 if tracking == "fixed" else 3), 0, 180.0, 0.35, 45
    sd.tilt = lat if tracking == "fixed" else 0.0
    m.execute()
    return {"ac": np.asarray(m.Outputs.ac) / 1e6, "poa": np.asarray(m.Outputs.poa)}


def hybrid(w: pd.DataFrame, meta: dict[str, float], tracking: str, revert: str) -> np.ndarray:
    """AC per MW AC of the pvwatts_v8 chain with the one step ``revert`` done as gpdc does it."""
    lat, lon, elev = meta["latitude"], meta["longitude"], meta["altitude"]
    if revert == "sun":  # gpdc: the middle of every hour, dark when the sun is down there
        mid = sun(w.index, lat, lon, elev)
        s = pd.DataFrame({"apparent_zenith": mid["apparent_zenith"], "azimuth": mid["azimuth"],
                          "sun_up": mid["apparent_zenith"].to_numpy() < 90.0}, index=w.index)
    else:
        s = v8.sun_position(w.index, lat, lon, elev, pressure_pa=w["pressure"].to_numpy(),
                            temp_air_c=w["temp_air"].to_numpy())
    zen, azi, up = s["apparent_zenith"].to_numpy(), s["azimuth"].to_numpy(), s["sun_up"].to_numpy(dtype=bool)
    dni = np.where(up, w["dni"].to_numpy(), 0.0)
    dhi = np.where(up, w["dhi"].to_numpy(), 0.0)
    if tracking == "single_axis":
        tr = pvlib.tracking.singleaxis(zen, azi, axis_tilt=0.0, axis_azimuth=180.0, max_angle=45.0, backtrack=True,
                                       gcr=0.35)
        tilt = np.nan_to_num(np.asarray(tr["surface_tilt"], dtype=np.float64))
        az = np.nan_to_num(np.asarray(tr["surface_azimuth"], dtype=np.float64), nan=180.0)
    else:
        tilt, az = np.full(len(zen), lat), np.full(len(zen), 180.0)
    albedo = default("solar_albedo")
    if revert == "transposition":  # gpdc: pvlib Perez with dni_extra, absolute air mass, measured GHI for the ground
        loc = pvlib.location.Location(lat, lon, altitude=elev)
        t = w.index + pd.Timedelta(minutes=30)
        irr = pvlib.irradiance.get_total_irradiance(
            tilt, az, zen, azi, dni, np.where(up, w["ghi"].to_numpy(), 0.0), dhi,
            dni_extra=np.asarray(pvlib.irradiance.get_extra_radiation(t)),
            airmass=np.asarray(loc.get_airmass(t, solar_position=pd.DataFrame(
                {"apparent_zenith": zen, "zenith": zen}, index=t))["airmass_absolute"]), albedo=albedo, model="perez")
        beam = np.nan_to_num(np.asarray(irr["poa_direct"], dtype=np.float64))
        sky = np.nan_to_num(np.asarray(irr["poa_sky_diffuse"], dtype=np.float64))
        ground = np.nan_to_num(np.asarray(irr["poa_ground_diffuse"], dtype=np.float64))
        aoi = np.asarray(pvlib.irradiance.aoi(tilt, az, zen, azi), dtype=np.float64)
    else:
        beam, sky, ground, aoi = v8.plane_of_array(zen, azi, dni, dhi, tilt, az, albedo)
    if revert != "row_shading":  # gpdc: no row shading
        fb, fs, fg = v8.row_shading(zen, azi, dni, dhi, tilt, az, 0.35, albedo, beam_shading=tracking == "fixed")
        beam, sky, ground = beam * fb, sky * fs, ground * fg
    poa = np.where(up, beam + sky + ground, 0.0)
    if revert == "cover":  # gpdc: glass loss on the beam only
        through = beam * np.nan_to_num(np.asarray(pvlib.iam.physical(aoi), dtype=np.float64)) + sky + ground
    else:
        through = v8.transmitted(aoi, tilt, beam, sky, ground)
    through = np.where(up, through, 0.0)
    eff = through if revert == "spectral" else through * v8.spectral_factor(zen, elev)
    if revert == "temperature":  # gpdc: SAPM open rack glass/polymer from the POA
        params = pvlib.temperature.TEMPERATURE_MODEL_PARAMETERS["sapm"]["open_rack_glass_polymer"]
        tcell = pvlib.temperature.sapm_cell(poa, w["temp_air"].to_numpy(), w["wind_speed"].to_numpy(), **params)
    else:
        tcell = v8.cell_temperature(eff, w["temp_air"].to_numpy(), w["wind_speed"].to_numpy())
    if revert == "module":  # gpdc: PVWatts DC, gamma -0.37 %/degC
        dc = np.clip(np.asarray(pvlib.pvsystem.pvwatts_dc(eff, tcell, 1.2, -0.0037)), 0.0, None) * (1 - 0.14)
    else:
        dc = v8.dc_per_mw(eff, tcell, 1.2, 0.14)
    if revert == "inverter":  # gpdc: pvlib's PVWatts (v5) inverter curve
        eta = default("solar_inverter_efficiency_frac")
        ac = np.clip(np.nan_to_num(np.asarray(pvlib.inverter.pvwatts(dc, pdc0=1.0 / eta, eta_inv_nom=eta))), 0.0, 1.0)
    else:
        ac = v8.ac_from_dc(dc)
    return np.where(up & (eff > 0.0), ac, 0.0)


def months(x: np.ndarray, month: np.ndarray) -> np.ndarray:
    """Monthly sums of an hourly series."""
    return np.array([x[month == k].sum() for k in range(1, 13)])


def main() -> None:
    """Print the three tables."""
    rows_poa, rows_e, rows_abl = [], [], []
    for name, (path, tz) in FILES.items():
        w, meta = read_weather(path, "tmy3", year=YEAR, timezone=tz)
        lat, lon, elev = meta["latitude"], meta["longitude"], meta["altitude"]
        month = w.index.month.to_numpy()
        for tracking in ("fixed", "single_axis"):
            ref = pysam(path, tracking, lat)
            h = v8.pvwatts_v8_hours(w.index, lat, lon, elev, system(tracking, "pvwatts_v8").filled(lat),
                                    ghi=w["ghi"].to_numpy(), dni=w["dni"].to_numpy(), dhi=w["dhi"].to_numpy(),
                                    temp_air_c=w["temp_air"].to_numpy(), wind_speed_m_per_s=w["wind_speed"].to_numpy(),
                                    pressure_pa=w["pressure"].to_numpy())
            old_sys = system(tracking, "gpdc").filled(lat)
            poa_old, _ = plane_of_array(sun(w.index, lat, lon, elev), w["ghi"].to_numpy(), old_sys,
                                        dni=w["dni"].to_numpy(), dhi=w["dhi"].to_numpy())
            elev_sun = 90.0 - h.sun["apparent_zenith"].to_numpy()
            up = h.sun["sun_up"].to_numpy(dtype=bool)
            for model, poa in (("gpdc", poa_old), ("pvwatts_v8", h.poa_w_per_m2)):
                ratios = [poa[up & (elev_sun >= lo) & (elev_sun < hi)].sum()
                          / ref["poa"][up & (elev_sun >= lo) & (elev_sun < hi)].sum() for lo, hi in BINS]
                rows_poa.append((name, tracking, model, *ratios, poa.sum() / ref["poa"].sum()))
            sam_m = months(ref["ac"], month)
            big = sam_m > 0.2 * sam_m.mean()
            for model in ("gpdc", "pvwatts_v8"):
                ours = pv_cf(w, lat, lon, elev, system(tracking, model))
                dev = months(ours, month) / sam_m - 1.0
                rows_e.append((name, tracking, model, ours.sum() / ref["ac"].sum() - 1.0, dev, big))
            for step in ("none", *STEPS):
                ours = hybrid(w, meta, tracking, step)
                dev = months(ours, month) / sam_m - 1.0
                worst = int(np.argmax(np.where(big, np.abs(dev), -1.0)))
                rows_abl.append((name, tracking, step, ours.sum() / ref["ac"].sum() - 1.0, dev[worst], worst + 1))

    print("1. Plane-of-array irradiance / SAM's, by sun elevation (effective sun position of each hour)")
    print(f"{'file':18} {'tracking':12} {'pv_model':11} {'0-5':>6} {'5-10':>6} {'10-20':>6} {'>20':>6} {'year':>6}")
    for r in rows_poa:
        print(f"{r[0]:18} {r[1]:12} {r[2]:11} " + " ".join(f"{x:6.3f}" for x in r[3:]))
    print("\n2. AC energy, deviation from SAM PVWatts v8: year, then Jan..Dec (* = month under 20 % of the mean month)")
    for name, tracking, model, year_dev, dev, big in rows_e:
        ms = " ".join(f"{d:+6.1%}" + (" " if b else "*") for d, b in zip(dev, big, strict=True))
        print(f"{name:18} {tracking:12} {model:11} {year_dev:+7.2%} | {ms}")
    print("\n3. pvwatts_v8 chain with one step done as gpdc does it: deviation from SAM (year; worst month of those"
          " over 20 % of the mean)")
    for name, tracking, step, year_dev, worst, m in rows_abl:
        label = "(none: pvwatts_v8)" if step == "none" else step
        print(f"{name:18} {tracking:12} {label:19} {year_dev:+7.2%}   month {m:2d}: {worst:+6.1%}")


if __name__ == "__main__":
    main()
