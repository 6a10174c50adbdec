//! .xls (BIFF8 in an OLE compound file), checked before calamine reads it: calamine
//! follows sector chains without noticing cycles and reserves what a forged DIMENSIONS
//! record asks for, so the chains and the cells' extent are walked here first.

use super::*;

pub(super) const CFB_MAGIC: &[u8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1";

fn xls_error(e: XlsError) -> ReadError {
    match e {
        XlsError::Password => password(),
        e => damaged(&e.to_string()),
    }
}

pub(super) fn read_xls(bytes: &[u8]) -> Result<Document, ReadError> {
    let compound = Compound::open(bytes)?;
    if compound.has("EncryptedPackage") || compound.has("EncryptionInfo") {
        return Err(password());
    }
    let stream = compound.workbook_stream()?;
    check_biff(&stream)?;
    drop(stream);
    let mut book: Xls<_> = Xls::new(Cursor::new(bytes)).map_err(xls_error)?;
    let mut budget = Budget::new();
    let mut tables = Vec::new();
    for name in wanted(book.sheets_metadata()) {
        let mut sheet = SheetBuilder::new(&name);
        let range = book.worksheet_range(&name).map_err(xls_error)?;
        if let Some((top, left)) = range.start() {
            for (r, c, data) in range.used_cells() {
                let at = (top + r as u32, left + c as u32);
                sheet.cell(at, Value::of(data), &mut budget)?;
            }
        }
        for range in book.worksheet_merge_cells(&name).unwrap_or_default() {
            sheet.merge(range, &mut budget)?;
        }
        tables.push(sheet.finish(&mut budget)?);
    }
    Ok(Document {
        text: Vec::new(),
        tables,
    })
}

pub(super) const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
const DIFSECT: u32 = 0xFFFF_FFFC;
const RESERVED_SECTORS: u32 = 0xFFFF_FFFA;

fn le16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn le64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

fn u32s(b: &[u8]) -> impl Iterator<Item = u32> + '_ {
    b.chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
}

/// A compound file (MS-CFB) read the way calamine reads it, refusing what would make
/// calamine loop forever (a chain of sectors that runs in a circle), reserve gigabytes (a
/// forged FAT or DIFAT length) or index out of bounds.
struct Compound<'a> {
    bytes: &'a [u8],
    header_len: usize,
    sector: usize,
    max_id: u32,
    fat: Vec<u32>,
    dirs: Vec<(String, u32, u64)>,
    mini_fat: Vec<u32>,
    mini_stream: Vec<u8>,
}

fn bad_compound(detail: &str) -> ReadError {
    damaged(&format!("its compound-file structure is broken: {detail}"))
}

impl<'a> Compound<'a> {
    fn open(bytes: &'a [u8]) -> Result<Compound<'a>, ReadError> {
        let header = bytes
            .get(..512)
            .ok_or_else(|| bad_compound("header cut short"))?;
        let field = |at| le32(header, at).unwrap_or(0);
        let sector = match le16(header, 30) {
            Some(9) => 512,
            Some(12) => 4096,
            _ => return Err(bad_compound("unknown sector size")),
        };
        if le16(header, 32) != Some(6) || bytes.len() < sector {
            return Err(bad_compound("bad header"));
        }
        let max_id = u32::try_from(bytes.len() / sector).unwrap_or(u32::MAX);
        // calamine reserves these many entries before reading them (it reads the DIFAT
        // length from offset 62).
        if field(62) > 1 << 24 || field(44) > max_id.saturating_add(1) {
            return Err(bad_compound("forged table lengths"));
        }
        let mut c = Compound {
            bytes,
            header_len: sector,
            sector,
            max_id,
            fat: Vec::new(),
            dirs: Vec::new(),
            mini_fat: Vec::new(),
            mini_stream: Vec::new(),
        };
        c.load_fat(header)?;
        let dirs = c.chain(field(48), usize::MAX)?;
        if dirs.len() % 128 != 0 {
            return Err(bad_compound("directory cut short"));
        }
        c.dirs = dirs.chunks_exact(128).map(|d| c.dir_entry(d)).collect();
        let root = c
            .dirs
            .first()
            .cloned()
            .ok_or_else(|| bad_compound("no root"))?;
        if field(64) > 0 {
            c.mini_stream = c.chain(root.1, usize::try_from(root.2).unwrap_or(usize::MAX))?;
            let len = (field(64) as usize).saturating_mul(sector);
            c.mini_fat = u32s(&c.chain(field(60), len)?).collect();
        }
        Ok(c)
    }

    fn load_fat(&mut self, header: &[u8]) -> Result<(), ReadError> {
        let mut difat: Vec<u32> = u32s(&header[76..512]).collect();
        let mut id = le32(header, 68).unwrap_or(ENDOFCHAIN);
        let mut steps = 0u32;
        while id < RESERVED_SECTORS {
            steps += 1;
            if steps > self.max_id.saturating_add(1) {
                return Err(bad_compound("the DIFAT chain runs in a circle"));
            }
            difat.extend(u32s(self.sector_at(id)?));
            id = difat
                .pop()
                .ok_or_else(|| bad_compound("empty DIFAT sector"))?;
        }
        let ids: Vec<u32> = difat.into_iter().filter(|&id| id < DIFSECT).collect();
        if ids.len() > self.max_id as usize + 1 {
            return Err(bad_compound("more FAT sectors than the file holds"));
        }
        for id in ids {
            let sector: Vec<u32> = u32s(self.sector_at(id)?).collect();
            self.fat.extend(sector);
        }
        Ok(())
    }

    /// Sector `id` as calamine's reader sees it (the last one may be short).
    fn sector_at(&self, id: u32) -> Result<&'a [u8], ReadError> {
        if id > self.max_id {
            return Err(bad_compound("a sector lies beyond the end of the file"));
        }
        let start = self.header_len + id as usize * self.sector;
        if start >= self.bytes.len() {
            return Err(bad_compound("a sector lies beyond the end of the file"));
        }
        let end = (start + self.sector).min(self.bytes.len());
        Ok(&self.bytes[start..end])
    }

    /// A chain of sectors through the FAT, at most `len` bytes.
    fn chain(&self, mut id: u32, len: usize) -> Result<Vec<u8>, ReadError> {
        let mut out = Vec::new();
        let mut steps = 0u32;
        while id != ENDOFCHAIN {
            steps += 1;
            if steps > self.max_id.saturating_add(1) {
                return Err(bad_compound("a sector chain runs in a circle"));
            }
            let s = self.sector_at(id)?;
            out.extend_from_slice(&s[..s.len().min(len - out.len())]);
            if out.len() >= len {
                break;
            }
            id = *self
                .fat
                .get(id as usize)
                .ok_or_else(|| bad_compound("a sector chain leaves the FAT"))?;
        }
        Ok(out)
    }

    /// A chain of 64-byte mini sectors through the mini FAT, at most `len` bytes.
    fn mini_chain(&self, mut id: u32, len: usize) -> Result<Vec<u8>, ReadError> {
        let mut out = Vec::new();
        let mut steps = 0usize;
        while id != ENDOFCHAIN {
            steps += 1;
            if steps > self.mini_fat.len() + 1 {
                return Err(bad_compound("a mini sector chain runs in a circle"));
            }
            let start = id as usize * 64;
            let s = self
                .mini_stream
                .get(start..start + 64)
                .ok_or_else(|| bad_compound("a mini sector lies beyond the mini stream"))?;
            out.extend_from_slice(&s[..s.len().min(len - out.len())]);
            if out.len() >= len {
                break;
            }
            id = *self
                .mini_fat
                .get(id as usize)
                .ok_or_else(|| bad_compound("a mini sector chain leaves the mini FAT"))?;
        }
        Ok(out)
    }

    fn dir_entry(&self, d: &[u8]) -> (String, u32, u64) {
        let (name, _, _) = encoding_rs::UTF_16LE.decode(&d[..64]);
        let name = name.split('\0').next().unwrap_or("").to_string();
        let start = le32(d, 116).unwrap_or(ENDOFCHAIN);
        let len = if self.sector == 512 {
            u64::from(le32(d, 120).unwrap_or(0))
        } else {
            le64(d, 120).unwrap_or(0)
        };
        (name, start, len)
    }

    fn has(&self, name: &str) -> bool {
        self.dirs.iter().any(|d| d.0 == name)
    }

    /// The BIFF stream, found by the names calamine tries, in its order.
    fn workbook_stream(&self) -> Result<Vec<u8>, ReadError> {
        let Some((_, start, len)) = ["Workbook", "Book", "WORKBOOK", "BOOK"]
            .iter()
            .find_map(|n| self.dirs.iter().find(|d| d.0 == *n))
        else {
            return Err(if self.has("WordDocument") {
                ReadError(
                    "This is an old Word document (.doc), not a workbook; open it in Word or WPS and save it as .docx.".into(),
                )
            } else {
                ReadError(
                    "This Office file holds no workbook; open it in Excel or WPS and save it again as .xlsx.".into(),
                )
            });
        };
        let len = usize::try_from(*len).unwrap_or(usize::MAX);
        if len < 4096 {
            self.mini_chain(*start, len)
        } else {
            self.chain(*start, len)
        }
    }
}

/// BIFF records from `at`: (type, data), stopping at the first malformed one.
fn biff_records(stream: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    let mut rest = stream;
    std::iter::from_fn(move || {
        let typ = le16(rest, 0)?;
        let len = le16(rest, 2)? as usize;
        let data = rest.get(4..4 + len)?;
        rest = &rest[4 + len..];
        Some((typ, data))
    })
}

/// Refuses an .xls whose sheets calamine would turn into more dense cells than
/// [`MAX_XLS_DENSE`]: calamine builds each sheet as a grid from its first to its last cell
/// (rows and columns up to 65,535 each in a forged file) and reserves what a DIMENSIONS
/// record claims, both before any error is possible.
fn check_biff(stream: &[u8]) -> Result<(), ReadError> {
    let mut sheets = Vec::new();
    for (typ, data) in biff_records(stream) {
        if cut_short(typ, data) {
            return Err(damaged("a record of the workbook is cut short"));
        }
        match typ {
            0x002F if le16(data, 0).is_some_and(|v| v != 0) => return Err(password()),
            0x0085 => sheets.extend(le32(data, 0)),
            0x000A => break,
            _ => {}
        }
    }
    if sheets.len() > MAX_XLS_SHEETS {
        return Err(too_large(format!("{} sheets", sheets.len())));
    }
    let mut total = 0u64;
    for pos in sheets {
        let sheet = stream
            .get(pos as usize..)
            .ok_or_else(|| damaged("a sheet lies beyond the end of the workbook stream"))?;
        let (area, reserved) = biff_sheet_extent(sheet)?;
        total = total.saturating_add(area);
        if reserved > MAX_XLS_DENSE || total > MAX_XLS_DENSE {
            return Err(too_large(format!(
                "its sheets span more than {MAX_XLS_DENSE} cells from their first to their last cell"
            )));
        }
    }
    Ok(())
}

/// Records calamine reads without checking their length first (it would panic on them).
fn cut_short(typ: u16, data: &[u8]) -> bool {
    let min = match typ {
        // BOF, CodePage, DateMode, FilePass, ExternSheet
        0x0809 | 0x0042 | 0x0022 | 0x002F | 0x0017 => 2,
        0x0085 => 8,  // BoundSheet8
        0x0018 => 14, // Lbl
        // MergeCells: a count, then 8 bytes per range.
        0x00E5 => 2 + 8 * le16(data, 0).map_or(0, usize::from),
        _ => 0,
    };
    data.len() < min
        || (typ == 0x0018 && le16(data, 4).is_some_and(|cce| usize::from(cce) > data.len()))
}

/// One sheet's dense area (first to last cell) and the largest reservation its DIMENSIONS
/// records ask of calamine.
fn biff_sheet_extent(sheet: &[u8]) -> Result<(u64, u64), ReadError> {
    let mut rows = (u32::MAX, 0u32);
    let mut cols = (u32::MAX, 0u32);
    let mut reserved = 0u64;
    let mut see = |r: u32, c0: u32, c1: u32| {
        rows = (rows.0.min(r), rows.1.max(r));
        cols = (cols.0.min(c0), cols.1.max(c1));
    };
    for (typ, data) in biff_records(sheet) {
        if cut_short(typ, data) {
            return Err(damaged("a record of a sheet is cut short"));
        }
        match typ {
            0x000A => break,
            0x0200 => reserved = reserved.max(dimensions_reservation(data)?),
            // Number, Label, BoolErr, RK, LabelSst, Formula: row and column first.
            0x0203 | 0x0204 | 0x0205 | 0x027E | 0x00FD | 0x0006 => {
                if let (Some(r), Some(c)) = (le16(data, 0), le16(data, 2)) {
                    see(r.into(), c.into(), c.into());
                }
            }
            // MulRk: row, first column, ..., last column.
            0x00BD => {
                let (Some(r), Some(c0), Some(c1)) = (
                    le16(data, 0),
                    le16(data, 2),
                    data.len().checked_sub(2).and_then(|at| le16(data, at)),
                ) else {
                    break;
                };
                if c1 < c0 {
                    break; // calamine stops reading here too
                }
                see(r.into(), c0.into(), c1.into());
            }
            _ => {}
        }
    }
    let area = if rows.0 > rows.1 {
        0
    } else {
        (u64::from(rows.1 - rows.0) + 1) * (u64::from(cols.1 - cols.0) + 1)
    };
    Ok((area, reserved))
}

/// The cells calamine reserves for a DIMENSIONS record, computed as calamine does.
fn dimensions_reservation(data: &[u8]) -> Result<u64, ReadError> {
    let fields = match data.len() {
        10 => (
            le16(data, 0).map(u32::from),
            le16(data, 2).map(u32::from),
            le16(data, 4),
            le16(data, 6),
        ),
        14 => (le32(data, 0), le32(data, 4), le16(data, 8), le16(data, 10)),
        _ => return Ok(0), // calamine stops with an error before reserving anything
    };
    let (Some(rf), Some(rl), Some(cf), Some(cl)) = fields else {
        return Ok(0);
    };
    let (rf, rl, mut cf, cl) = (rf, rl, u32::from(cf), u32::from(cl));
    if cf > 0xFF || cl < cf {
        cf = 0;
    }
    if rl < 1 || cl < 1 {
        return Ok(1);
    }
    let (rows, cols) = ((rl - 1).checked_sub(rf), (cl - 1).checked_sub(cf));
    match (rows, cols) {
        (Some(r), Some(c)) => Ok((u64::from(r) + 1) * (u64::from(c) + 1)),
        _ => Err(damaged("a sheet's DIMENSIONS record is inconsistent")),
    }
}
