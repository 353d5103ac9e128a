//! Fuzz targets as plain functions.

pub mod protocol;
