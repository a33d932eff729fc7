//! The MiscInfo stream: process id and times, processor power state, time
//! zone, OS build strings, XSAVE layout and process cookie.
//!
//! Each of the five versions of the structure is the previous one with
//! fields appended. The reader views the largest version that fits in the
//! stream's bytes, and every accessor returns `None` unless both that
//! version holds the field and the field's `flags1` bit is set.

use crate::bytes::Bytes;
use crate::error::{Error, ErrorKind, Result};
use crate::minidump::{Minidump, Stream};
use crate::string::utf16_field_lossy;
use mdump_format::misc_info::*;
use mdump_format::StreamType;

/// The MiscInfo stream, viewed in place.
#[derive(Clone, Copy, Debug)]
pub struct MiscInfo<'a> {
    view: MiscInfoView<'a>,
    offset: u64,
}

/// The processor power fields of version 2.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProcessorPowerInfo {
    /// Highest clock rate of the processor, in MHz.
    pub max_mhz: u32,
    /// Clock rate when the dump was written, in MHz.
    pub current_mhz: u32,
    /// Clock rate limit set by power management, in MHz.
    pub mhz_limit: u32,
    /// Deepest idle state the processor supports.
    pub max_idle_state: u32,
    /// Idle state the processor was in.
    pub current_idle_state: u32,
}

/// The time zone of version 3: which rule was in effect and the zone itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeZone<'a> {
    /// A `TIME_ZONE_ID_*` value: standard time, daylight time, unknown or
    /// invalid.
    pub id: u32,
    /// The on-disk `TIME_ZONE_INFORMATION`.
    pub raw: &'a TimeZoneInformation,
}

impl TimeZone<'_> {
    /// Base offset from UTC in minutes (UTC = local time + bias).
    pub fn bias(&self) -> i32 {
        self.raw.bias.get()
    }

    /// Name of standard time, decoded up to its NUL (unpaired surrogates
    /// become U+FFFD).
    pub fn standard_name(&self) -> String {
        utf16_field_lossy(self.raw.standard_name.iter().map(|u| u.get()))
    }

    /// Name of daylight saving time, decoded up to its NUL.
    pub fn daylight_name(&self) -> String {
        utf16_field_lossy(self.raw.daylight_name.iter().map(|u| u.get()))
    }
}

impl<'a> Stream<'a> for MiscInfo<'a> {
    const STREAM_TYPE: StreamType = StreamType::MISC_INFO;

    fn parse(bytes: Bytes<'a>, _dump: &Minidump<'a>) -> Result<Self> {
        match MiscInfoView::from_bytes(bytes.as_slice()) {
            Some(view) => Ok(MiscInfo { view, offset: bytes.base() }),
            None => Err(Error::new(
                ErrorKind::BadStreamSize { size: bytes.len() as u64, expected: MINIDUMP_MISC_INFO_SIZE as u64 },
                bytes.base(),
            )),
        }
    }
}

impl<'a> MiscInfo<'a> {
    /// Every version present in the stream, viewed in place.
    pub fn view(&self) -> MiscInfoView<'a> {
        self.view
    }

    /// File offset of the stream.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The largest version that fits in the stream, 1 to 5.
    pub fn version(&self) -> u32 {
        self.view.version()
    }

    /// The structure size the writer recorded (not necessarily the size read:
    /// the reader goes by the stream's size).
    pub fn size_of_info(&self) -> u32 {
        self.view.v1.size_of_info.get()
    }

    /// The `MINIDUMP_MISCn_*` bits saying which fields are valid.
    pub fn flags1(&self) -> u32 {
        self.view.flags1()
    }

    fn has(&self, flag: u32) -> bool {
        self.flags1() & flag != 0
    }

    /// Id of the dumped process.
    pub fn process_id(&self) -> Option<u32> {
        self.has(MINIDUMP_MISC1_PROCESS_ID).then(|| self.view.v1.process_id.get())
    }

    /// When the process started, in seconds since the Unix epoch.
    pub fn process_create_time(&self) -> Option<u32> {
        self.has(MINIDUMP_MISC1_PROCESS_TIMES).then(|| self.view.v1.process_create_time.get())
    }

    /// Seconds of CPU time the process spent in user mode.
    pub fn process_user_time(&self) -> Option<u32> {
        self.has(MINIDUMP_MISC1_PROCESS_TIMES).then(|| self.view.v1.process_user_time.get())
    }

    /// Seconds of CPU time the process spent in kernel mode.
    pub fn process_kernel_time(&self) -> Option<u32> {
        self.has(MINIDUMP_MISC1_PROCESS_TIMES).then(|| self.view.v1.process_kernel_time.get())
    }

    /// Processor clock rates and idle states (version 2 and later).
    pub fn processor_power_info(&self) -> Option<ProcessorPowerInfo> {
        let v2 = self.view.v2.filter(|_| self.has(MINIDUMP_MISC1_PROCESSOR_POWER_INFO))?;
        Some(ProcessorPowerInfo {
            max_mhz: v2.processor_max_mhz.get(),
            current_mhz: v2.processor_current_mhz.get(),
            mhz_limit: v2.processor_mhz_limit.get(),
            max_idle_state: v2.processor_max_idle_state.get(),
            current_idle_state: v2.processor_current_idle_state.get(),
        })
    }

    fn v3_if(&self, flag: u32) -> Option<&'a MiscInfo3> {
        self.view.v3.filter(|_| self.has(flag))
    }

    /// Integrity level of the process token, a RID such as 0x2000 for medium
    /// (version 3 and later).
    pub fn process_integrity_level(&self) -> Option<u32> {
        self.v3_if(MINIDUMP_MISC3_PROCESS_INTEGRITY).map(|v| v.process_integrity_level.get())
    }

    /// The process's DEP flags (`MEM_EXECUTE_OPTION_*`, version 3 and later).
    pub fn process_execute_flags(&self) -> Option<u32> {
        self.v3_if(MINIDUMP_MISC3_PROCESS_EXECUTE_FLAGS).map(|v| v.process_execute_flags.get())
    }

    /// Whether the process was a protected process (version 3 and later).
    pub fn protected_process(&self) -> Option<bool> {
        self.v3_if(MINIDUMP_MISC3_PROTECTED_PROCESS).map(|v| v.protected_process.get() != 0)
    }

    /// The machine's time zone (version 3 and later).
    pub fn time_zone(&self) -> Option<TimeZone<'a>> {
        self.v3_if(MINIDUMP_MISC3_TIMEZONE).map(|v| TimeZone { id: v.time_zone_id.get(), raw: &v.time_zone })
    }

    fn v4_build(&self) -> Option<&'a MiscInfo4> {
        self.view.v4.filter(|_| self.has(MINIDUMP_MISC4_BUILDSTRING))
    }

    /// The OS build string, such as "19041.1.amd64fre.vb_release.191206-1406"
    /// (version 4 and later), decoded up to its NUL.
    pub fn build_string(&self) -> Option<String> {
        self.v4_build().map(|v| utf16_field_lossy(v.build_string.iter().map(|u| u.get())))
    }

    /// Name and version of the dbghelp that wrote the dump, such as
    /// "dbghelp.amd64,6.3.9600.16520" (version 4 and later).
    pub fn dbg_bld_str(&self) -> Option<String> {
        self.v4_build().map(|v| utf16_field_lossy(v.dbg_bld_str.iter().map(|u| u.get())))
    }

    /// The machine's XSAVE layout (version 5), present when its own
    /// `size_of_info` is nonzero (no `flags1` bit governs it).
    pub fn xstate_data(&self) -> Option<&'a XStateConfigFeatureMscInfo> {
        self.view.v5.map(|v| &v.xstate_data).filter(|x| x.size_of_info.get() != 0)
    }

    /// The enabled XSAVE features as `(feature index, layout)`, in index
    /// order (see the `XSTATE_*` constants).
    pub fn xstate_features(&self) -> impl Iterator<Item = (u32, &'a XStateFeature)> + 'a {
        let x = self.xstate_data();
        let enabled = x.map_or(0, |x| x.enabled_features.get());
        x.into_iter().flat_map(move |x| {
            x.features.iter().zip(0u32..).filter(move |&(_, i)| enabled & (1u64 << i) != 0).map(|(f, i)| (i, f))
        })
    }

    /// The process's pointer-encoding cookie (version 5).
    pub fn process_cookie(&self) -> Option<u32> {
        self.view.v5.filter(|_| self.has(MINIDUMP_MISC5_PROCESS_COOKIE)).map(|v| v.process_cookie.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdump::{dump, parse, put_u16, put_u32, put_u64};

    const MISC: u32 = 15;

    /// A version-5 stream with every field set and every flag on, cut to `len`.
    fn misc_info(len: usize, flags1: u32) -> Vec<u8> {
        let mut b = vec![0u8; 1364];
        put_u32(&mut b, 0, len as u32); // SizeOfInfo
        put_u32(&mut b, 4, flags1);
        put_u32(&mut b, 8, 4242); // ProcessId
        put_u32(&mut b, 12, 0x6000_0000); // ProcessCreateTime
        put_u32(&mut b, 16, 7); // ProcessUserTime
        put_u32(&mut b, 20, 3); // ProcessKernelTime
        put_u32(&mut b, 24, 3000); // ProcessorMaxMhz
        put_u32(&mut b, 28, 2900); // ProcessorCurrentMhz
        put_u32(&mut b, 32, 2800); // ProcessorMhzLimit
        put_u32(&mut b, 36, 2); // ProcessorMaxIdleState
        put_u32(&mut b, 40, 1); // ProcessorCurrentIdleState
        put_u32(&mut b, 44, 0x2000); // ProcessIntegrityLevel
        put_u32(&mut b, 48, 0x4d); // ProcessExecuteFlags
        put_u32(&mut b, 52, 1); // ProtectedProcess
        put_u32(&mut b, 56, 2); // TimeZoneId: daylight
        put_u32(&mut b, 60, 480); // TimeZone.Bias
        for (i, c) in "Pacific Standard Time".encode_utf16().enumerate() {
            put_u16(&mut b, 64 + 2 * i, c); // StandardName
        }
        put_u16(&mut b, 128 + 2, 11); // StandardDate.wMonth
        put_u32(&mut b, 144, 0); // StandardBias
        for (i, c) in "Pacific Daylight Time".encode_utf16().enumerate() {
            put_u16(&mut b, 148 + 2 * i, c); // DaylightName
        }
        put_u16(&mut b, 212 + 2, 3); // DaylightDate.wMonth
        put_u32(&mut b, 228, (-60i32) as u32); // DaylightBias
        for (i, c) in "19041.1.amd64fre".encode_utf16().enumerate() {
            put_u16(&mut b, 232 + 2 * i, c); // BuildString
        }
        for (i, c) in "dbghelp.amd64,10.0".encode_utf16().enumerate() {
            put_u16(&mut b, 752 + 2 * i, c); // DbgBldStr
        }
        put_u32(&mut b, 832, 528); // XStateData.SizeOfInfo
        put_u32(&mut b, 836, 0x340); // ContextSize
        put_u64(&mut b, 840, 0b101); // EnabledFeatures: x87 and AVX
        put_u32(&mut b, 848, 0); // Features[0].Offset
        put_u32(&mut b, 852, 160); // Features[0].Size
        put_u32(&mut b, 848 + 2 * 8, 576); // Features[2].Offset
        put_u32(&mut b, 848 + 2 * 8 + 4, 256); // Features[2].Size
        put_u32(&mut b, 1360, 0xdead_beef); // ProcessCookie
        b.truncate(len);
        b
    }

    const ALL_FLAGS: u32 = 0x3f7;

    #[test]
    fn version_5_with_every_field() {
        let file = dump(MISC, &misc_info(1364, ALL_FLAGS), &[]);
        let m = parse::<MiscInfo>(&file).unwrap();
        assert_eq!(m.version(), 5);
        assert_eq!(m.size_of_info(), 1364);
        assert_eq!(m.process_id(), Some(4242));
        assert_eq!(m.process_create_time(), Some(0x6000_0000));
        assert_eq!(m.process_user_time(), Some(7));
        assert_eq!(m.process_kernel_time(), Some(3));
        let p = m.processor_power_info().unwrap();
        assert_eq!((p.max_mhz, p.current_mhz, p.mhz_limit), (3000, 2900, 2800));
        assert_eq!((p.max_idle_state, p.current_idle_state), (2, 1));
        assert_eq!(m.process_integrity_level(), Some(0x2000));
        assert_eq!(m.process_execute_flags(), Some(0x4d));
        assert_eq!(m.protected_process(), Some(true));
        let tz = m.time_zone().unwrap();
        assert_eq!(tz.id, TIME_ZONE_ID_DAYLIGHT);
        assert_eq!(tz.bias(), 480);
        assert_eq!(tz.standard_name(), "Pacific Standard Time");
        assert_eq!(tz.daylight_name(), "Pacific Daylight Time");
        assert_eq!(tz.raw.standard_date.month.get(), 11);
        assert_eq!(tz.raw.daylight_bias.get(), -60);
        assert_eq!(m.build_string().as_deref(), Some("19041.1.amd64fre"));
        assert_eq!(m.dbg_bld_str().as_deref(), Some("dbghelp.amd64,10.0"));
        let x = m.xstate_data().unwrap();
        assert_eq!(x.context_size.get(), 0x340);
        let features: Vec<_> = m.xstate_features().map(|(i, f)| (i, f.offset.get(), f.size.get())).collect();
        assert_eq!(features, [(0, 0, 160), (2, 576, 256)]);
        assert_eq!(m.process_cookie(), Some(0xdead_beef));
    }

    #[test]
    fn fields_are_gated_by_version() {
        for (len, version) in [(24, 1), (44, 2), (232, 3), (832, 4), (1000, 4)] {
            let file = dump(MISC, &misc_info(len, ALL_FLAGS), &[]);
            let m = parse::<MiscInfo>(&file).unwrap();
            assert_eq!(m.version(), version, "len {len}");
            assert_eq!(m.process_id(), Some(4242));
            assert_eq!(m.processor_power_info().is_some(), version >= 2);
            assert_eq!(m.time_zone().is_some(), version >= 3);
            assert_eq!(m.protected_process().is_some(), version >= 3);
            assert_eq!(m.build_string().is_some(), version >= 4);
            assert!(m.xstate_data().is_none());
            assert_eq!(m.xstate_features().count(), 0);
            assert_eq!(m.process_cookie(), None);
        }
    }

    #[test]
    fn fields_are_gated_by_flags() {
        let file = dump(MISC, &misc_info(1364, MINIDUMP_MISC1_PROCESS_ID), &[]);
        let m = parse::<MiscInfo>(&file).unwrap();
        assert_eq!(m.process_id(), Some(4242));
        assert_eq!(m.process_create_time(), None);
        assert_eq!(m.processor_power_info(), None);
        assert_eq!(m.process_integrity_level(), None);
        assert_eq!(m.process_execute_flags(), None);
        assert_eq!(m.protected_process(), None);
        assert_eq!(m.time_zone(), None);
        assert_eq!(m.build_string(), None);
        assert_eq!(m.dbg_bld_str(), None);
        assert_eq!(m.process_cookie(), None);
        // XSAVE data has no flag: its own size decides.
        assert!(m.xstate_data().is_some());
    }

    #[test]
    fn too_short_is_an_error_with_offset() {
        let file = dump(MISC, &misc_info(23, ALL_FLAGS), &[0; 4]);
        let e = parse::<MiscInfo>(&file).unwrap_err();
        assert_eq!(e.kind, ErrorKind::BadStreamSize { size: 23, expected: 24 });
        assert_eq!(e.offset, 48);
        assert_eq!(e.stream, Some(StreamType::MISC_INFO));
    }

    #[test]
    fn unterminated_and_bad_utf16_names_decode() {
        let mut s = misc_info(232, ALL_FLAGS);
        for i in 0..32 {
            put_u16(&mut s, 64 + 2 * i, u16::from(b'x'));
        }
        put_u16(&mut s, 148, 0xd800);
        let file = dump(MISC, &s, &[]);
        let tz = parse::<MiscInfo>(&file).unwrap().time_zone().unwrap();
        assert_eq!(tz.standard_name(), "x".repeat(32));
        assert!(tz.daylight_name().starts_with('\u{fffd}'));
    }
}
