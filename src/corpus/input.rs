//! Opening inputs: plain, gzip or zstd (detected by magic bytes, not by the
//! file name), and `-` for standard input, which is spooled to a temporary
//! file so that `dedup` can read it a second time to copy records unchanged.

use crate::error::{Error, Result};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek};
use std::path::{Path, PathBuf};

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// One input as given on the command line.
#[derive(Debug)]
pub struct InputSource {
    /// The name to show in messages (`-` for stdin).
    display: PathBuf,
    /// The file to read: the path itself, or the spool file of stdin.
    backing: Backing,
}

#[derive(Debug)]
enum Backing {
    Path(PathBuf),
    Spooled(tempfile::NamedTempFile),
}

impl InputSource {
    /// Prepares an input; `-` copies standard input to a temporary file.
    pub fn new(path: &Path) -> Result<InputSource> {
        if path.as_os_str() == "-" {
            let mut spool = tempfile::NamedTempFile::new().map_err(|e| Error::io("-", e))?;
            io::copy(&mut io::stdin().lock(), spool.as_file_mut())
                .map_err(|e| Error::io("-", e))?;
            spool
                .as_file_mut()
                .rewind()
                .map_err(|e| Error::io("-", e))?;
            return Ok(InputSource {
                display: path.to_path_buf(),
                backing: Backing::Spooled(spool),
            });
        }
        Ok(InputSource {
            display: path.to_path_buf(),
            backing: Backing::Path(path.to_path_buf()),
        })
    }

    pub fn display_path(&self) -> &Path {
        &self.display
    }

    /// Opens the (decompressed) byte stream from the start.
    pub fn open(&self) -> Result<Box<dyn BufRead + Send>> {
        let path = match &self.backing {
            Backing::Path(p) => p.as_path(),
            Backing::Spooled(t) => t.path(),
        };
        let file = File::open(path).map_err(|e| Error::io(&self.display, e))?;
        open_input(file).map_err(|e| Error::io(&self.display, e))
    }
}

/// Wraps a reader in the right decompressor, chosen by its first bytes.
pub fn open_input<R: Read + Send + 'static>(inner: R) -> io::Result<Box<dyn BufRead + Send>> {
    let mut buffered = BufReader::with_capacity(1 << 16, inner);
    let head = buffered.fill_buf()?;
    if head.starts_with(&GZIP_MAGIC) {
        let gz = flate2::bufread::MultiGzDecoder::new(buffered);
        Ok(Box::new(BufReader::with_capacity(1 << 16, gz)))
    } else if head.starts_with(&ZSTD_MAGIC) {
        let zs = zstd::stream::read::Decoder::with_buffer(buffered)?;
        Ok(Box::new(BufReader::with_capacity(1 << 16, zs)))
    } else {
        Ok(Box::new(buffered))
    }
}
