//! Results as Parquet: a table of named columns written to one file (zstd, one row group),
//! with key-value metadata (the run's manifest), read by any Parquet reader (pyarrow,
//! polars, DuckDB, R's arrow).

use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::Arc;

use parquet::basic::{Compression, LogicalType, Repetition, Type as Physical, ZstdLevel};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

/// One column of a table.
#[derive(Clone, Debug, PartialEq)]
pub enum Column {
    /// Whole numbers, none missing.
    Int64(Vec<i64>),
    /// Numbers; NaN is written as a missing value (null).
    Double(Vec<f64>),
    /// Text (UTF-8), none missing.
    Text(Vec<String>),
}

fn error(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("writing Parquet: {e}"))
}

/// Write `columns` (all of the same length) to `path` with `metadata`.
///
/// # Errors
/// I/O errors.
pub fn write(path: &Path, columns: &[(String, Column)], metadata: &[(&str, String)]) -> io::Result<()> {
    let fields = columns
        .iter()
        .map(|(name, c)| {
            let (physical, repetition, logical) = match c {
                Column::Int64(_) => (Physical::INT64, Repetition::REQUIRED, None),
                Column::Double(_) => (Physical::DOUBLE, Repetition::OPTIONAL, None),
                Column::Text(_) => (Physical::BYTE_ARRAY, Repetition::REQUIRED, Some(LogicalType::String)),
            };
            Type::primitive_type_builder(name, physical)
                .with_repetition(repetition)
                .with_logical_type(logical)
                .build()
                .map(Arc::new)
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(error)?;
    let schema = Arc::new(Type::group_type_builder("results").with_fields(fields).build().map_err(error)?);
    let kv = metadata.iter().map(|(k, v)| KeyValue::new((*k).to_string(), v.clone())).collect();
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_key_value_metadata(Some(kv))
        .set_created_by(format!("livelihoods {}", env!("CARGO_PKG_VERSION")))
        .build();
    let file = File::create(path)?;
    let mut writer = SerializedFileWriter::new(file, schema, Arc::new(props)).map_err(error)?;
    let mut group = writer.next_row_group().map_err(error)?;
    for (_, column) in columns {
        let mut w =
            group.next_column().map_err(error)?.ok_or_else(|| error("fewer columns than the schema"))?;
        match column {
            Column::Int64(v) => {
                w.typed::<Int64Type>().write_batch(v, None, None).map_err(error)?;
            }
            Column::Text(v) => {
                let bytes: Vec<ByteArray> = v.iter().map(|t| ByteArray::from(t.as_str())).collect();
                w.typed::<ByteArrayType>().write_batch(&bytes, None, None).map_err(error)?;
            }
            Column::Double(v) => {
                let present: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
                let levels: Vec<i16> = v.iter().map(|x| i16::from(!x.is_nan())).collect();
                w.typed::<DoubleType>().write_batch(&present, Some(&levels), None).map_err(error)?;
            }
        }
        w.close().map_err(error)?;
    }
    group.close().map_err(error)?;
    let file = writer.into_inner().map_err(error)?;
    file.sync_all()
}
