//! Containers, detected by magic bytes (never by extension): gzip and zip.
//! Unwrapping yields the member files; nested containers are unwrapped too.

use std::io::{Cursor, Read};

/// Largest decompressed size accepted for one member (a wasm32 page holds
/// at most 4 GiB, and the parsed index needs room beside the bytes).
pub const MAX_DECOMPRESSED_BYTES: u64 = 1536 * 1024 * 1024;
/// How deep containers may nest (a zip of gzips is fine; deeper is suspicious).
const MAX_NESTING: usize = 3;

/// One file after unwrapping, with what happened on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// `archive.zip/inner.json`, `trace.json.gz`, or the plain file name.
    pub name: String,
    pub bytes: Vec<u8>,
    /// Set when decompression stopped early; the bytes are what came out.
    pub damage: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContainerKind {
    Gzip,
    Zip,
}

pub fn container_kind(bytes: &[u8]) -> Option<ContainerKind> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        Some(ContainerKind::Gzip)
    } else if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        Some(ContainerKind::Zip)
    } else {
        None
    }
}

/// Unwraps gzip/zip (recursively); other content comes back as one member.
pub fn unwrap(name: &str, bytes: Vec<u8>) -> Vec<Member> {
    let mut out = Vec::new();
    unwrap_into(name, bytes, 0, &mut out);
    out
}

fn unwrap_into(name: &str, bytes: Vec<u8>, depth: usize, out: &mut Vec<Member>) {
    let kind = if depth < MAX_NESTING {
        container_kind(&bytes)
    } else {
        None
    };
    match kind {
        None => out.push(Member {
            name: name.to_string(),
            bytes,
            damage: None,
        }),
        Some(ContainerKind::Gzip) => {
            let (inner, damage) = gunzip(&bytes);
            let before = out.len();
            unwrap_into(name, inner, depth + 1, out);
            if let (Some(damage), Some(member)) = (damage, out.get_mut(before)) {
                member.damage = Some(damage);
            }
        }
        Some(ContainerKind::Zip) => unzip(name, &bytes, depth, out),
    }
}

/// Decompresses as much as possible; a truncated or corrupt stream returns
/// what was decoded before the damage, with a description of it.
fn gunzip(bytes: &[u8]) -> (Vec<u8>, Option<String>) {
    let decoder = flate2::read::MultiGzDecoder::new(bytes);
    read_capped(decoder, "gzip")
}

fn read_capped(reader: impl Read, what: &str) -> (Vec<u8>, Option<String>) {
    let mut out = Vec::new();
    let mut limited = reader.take(MAX_DECOMPRESSED_BYTES + 1);
    let result = limited.read_to_end(&mut out);
    if out.len() as u64 > MAX_DECOMPRESSED_BYTES {
        out.truncate(MAX_DECOMPRESSED_BYTES as usize);
        return (
            out,
            Some(format!(
                "{what} data expands past {} MiB; only the first part was read",
                MAX_DECOMPRESSED_BYTES >> 20
            )),
        );
    }
    match result {
        Ok(_) => (out, None),
        Err(e) => {
            let message = format!(
                "{what} data is damaged after {} decompressed bytes: {e}",
                out.len()
            );
            (out, Some(message))
        }
    }
}

fn unzip(name: &str, bytes: &[u8], depth: usize, out: &mut Vec<Member>) {
    let mut archive = match zip::ZipArchive::new(Cursor::new(bytes)) {
        Ok(a) => a,
        Err(e) => {
            out.push(Member {
                name: name.to_string(),
                bytes: Vec::new(),
                damage: Some(format!("zip archive cannot be read: {e}")),
            });
            return;
        }
    };
    for i in 0..archive.len() {
        let mut file = match archive.by_index(i) {
            Ok(f) => f,
            Err(e) => {
                out.push(Member {
                    name: format!("{name}/#{i}"),
                    bytes: Vec::new(),
                    damage: Some(format!("zip member {i} cannot be read: {e}")),
                });
                continue;
            }
        };
        if file.is_dir() {
            continue;
        }
        let inner_name = file
            .name()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| format!("#{i}"));
        let member_name = format!("{name}/{inner_name}");
        let (inner, damage) = read_capped(&mut file, "zip member");
        let before = out.len();
        unwrap_into(&member_name, inner, depth + 1, out);
        if let (Some(damage), Some(member)) = (damage, out.get_mut(before)) {
            member.damage = Some(damage);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(data).ok();
        enc.finish().unwrap_or_default()
    }

    #[test]
    fn gzip_is_detected_by_magic_not_name() {
        let members = unwrap("trace.json", gzip(b"{\"a\":1}"));
        assert_eq!(members.len(), 1);
        assert_eq!(members[0].bytes, b"{\"a\":1}");
        assert_eq!(members[0].damage, None);
    }

    #[test]
    fn truncated_gzip_keeps_the_decoded_prefix() {
        let data: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let packed = gzip(&data);
        let members = unwrap("t.gz", packed[..packed.len() / 2].to_vec());
        assert!(members[0].damage.is_some());
        assert!(!members[0].bytes.is_empty());
        assert!(data.starts_with(&members[0].bytes));
    }

    #[test]
    fn zip_members_are_all_read() {
        let mut buf = Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut buf);
            let opts = zip::write::SimpleFileOptions::default();
            w.start_file("a.json", opts).ok();
            w.write_all(b"[1]").ok();
            w.start_file("b.json.gz", opts).ok();
            w.write_all(&gzip(b"[2]")).ok();
            w.finish().ok();
        }
        let members = unwrap("x.zip", buf.into_inner());
        let names: Vec<_> = members.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["x.zip/a.json", "x.zip/b.json.gz"]);
        assert_eq!(members[1].bytes, b"[2]");
    }
}
