"""Output files: HDF5 (netCDF4 via h5netcdf) and CSV.  Only this package writes results."""
