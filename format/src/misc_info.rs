//! The MiscInfo stream (`MINIDUMP_MISC_INFO` through `MINIDUMP_MISC_INFO_5`):
//! process id and times, processor power state, time zone, OS build strings
//! and the XSAVE layout of the machine.
//!
//! The structure grew five times; each version is the previous one with
//! fields appended, so every version is a prefix of the next. A writer picks
//! one and records its size in `size_of_info` (and the stream's size). A
//! reader views the largest version that fits in the bytes it has, most
//! simply with [`MiscInfoView::from_bytes`], and then trusts a field only if
//! the matching `MINIDUMP_MISCn_*` bit is set in `flags1`.

use crate::{I32, U16, U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `flags1`: [`MiscInfo::process_id`] is valid.
pub const MINIDUMP_MISC1_PROCESS_ID: u32 = 0x0000_0001;
/// `flags1`: the process creation, user and kernel times are valid.
pub const MINIDUMP_MISC1_PROCESS_TIMES: u32 = 0x0000_0002;
/// `flags1`: the five processor power fields of [`MiscInfo2`] are valid.
pub const MINIDUMP_MISC1_PROCESSOR_POWER_INFO: u32 = 0x0000_0004;
/// `flags1`: [`MiscInfo3::process_integrity_level`] is valid.
pub const MINIDUMP_MISC3_PROCESS_INTEGRITY: u32 = 0x0000_0010;
/// `flags1`: [`MiscInfo3::process_execute_flags`] is valid.
pub const MINIDUMP_MISC3_PROCESS_EXECUTE_FLAGS: u32 = 0x0000_0020;
/// `flags1`: [`MiscInfo3::time_zone_id`] and [`MiscInfo3::time_zone`] are valid.
pub const MINIDUMP_MISC3_TIMEZONE: u32 = 0x0000_0040;
/// `flags1`: [`MiscInfo3::protected_process`] is valid.
pub const MINIDUMP_MISC3_PROTECTED_PROCESS: u32 = 0x0000_0080;
/// `flags1`: [`MiscInfo4::build_string`] and [`MiscInfo4::dbg_bld_str`] are valid.
pub const MINIDUMP_MISC4_BUILDSTRING: u32 = 0x0000_0100;
/// `flags1`: [`MiscInfo5::process_cookie`] is valid.
pub const MINIDUMP_MISC5_PROCESS_COOKIE: u32 = 0x0000_0200;

/// Size in bytes of `MINIDUMP_MISC_INFO` ([`MiscInfo`]).
pub const MINIDUMP_MISC_INFO_SIZE: usize = 24;
/// Size in bytes of `MINIDUMP_MISC_INFO_2` ([`MiscInfo2`]).
pub const MINIDUMP_MISC_INFO_2_SIZE: usize = 44;
/// Size in bytes of `MINIDUMP_MISC_INFO_3` ([`MiscInfo3`]).
pub const MINIDUMP_MISC_INFO_3_SIZE: usize = 232;
/// Size in bytes of `MINIDUMP_MISC_INFO_4` ([`MiscInfo4`]).
pub const MINIDUMP_MISC_INFO_4_SIZE: usize = 832;
/// Size in bytes of `MINIDUMP_MISC_INFO_5` ([`MiscInfo5`]), the newest
/// version (`MINIDUMP_MISC_INFO_N`). Note that 1364 is not a multiple of 8:
/// a C compiler that aligns the 64-bit member pads `sizeof` to 1368, but the
/// on-disk size is 1364.
pub const MINIDUMP_MISC_INFO_5_SIZE: usize = 1364;

/// `MAX_PATH`: the length in UTF-16 units of [`MiscInfo4::build_string`].
pub const MAX_PATH: usize = 260;
/// Length in UTF-16 units of [`MiscInfo4::dbg_bld_str`].
pub const DBG_BLD_STR_LEN: usize = 40;
/// `MAXIMUM_XSTATE_FEATURES`: the number of entries of
/// [`XStateConfigFeatureMscInfo::features`].
pub const MAXIMUM_XSTATE_FEATURES: usize = 64;

/// `TIME_ZONE_ID_UNKNOWN` in `time_zone_id`: the zone has no daylight saving
/// time (or the writer could not tell).
pub const TIME_ZONE_ID_UNKNOWN: u32 = 0;
/// `TIME_ZONE_ID_STANDARD` in `time_zone_id`: standard time was in effect.
pub const TIME_ZONE_ID_STANDARD: u32 = 1;
/// `TIME_ZONE_ID_DAYLIGHT` in `time_zone_id`: daylight saving time was in effect.
pub const TIME_ZONE_ID_DAYLIGHT: u32 = 2;
/// `TIME_ZONE_ID_INVALID` in `time_zone_id`: querying the zone failed.
pub const TIME_ZONE_ID_INVALID: u32 = 0xffff_ffff;

/// `XSTATE_LEGACY_FLOATING_POINT`: bit of
/// [`XStateConfigFeatureMscInfo::enabled_features`] (and index into its
/// `features`) for the x87 state.
pub const XSTATE_LEGACY_FLOATING_POINT: u32 = 0;
/// `XSTATE_LEGACY_SSE`: feature index of the XMM registers and MXCSR.
pub const XSTATE_LEGACY_SSE: u32 = 1;
/// `XSTATE_AVX` (also called `XSTATE_GSSE`): feature index of the upper
/// halves of the YMM registers.
pub const XSTATE_AVX: u32 = 2;
/// `XSTATE_GSSE`: another name of [`XSTATE_AVX`].
pub const XSTATE_GSSE: u32 = XSTATE_AVX;
/// `XSTATE_MPX_BNDREGS`: feature index of the MPX bound registers.
pub const XSTATE_MPX_BNDREGS: u32 = 3;
/// `XSTATE_MPX_BNDCSR`: feature index of the MPX configuration and status.
pub const XSTATE_MPX_BNDCSR: u32 = 4;
/// `XSTATE_AVX512_KMASK`: feature index of the AVX-512 opmask registers.
pub const XSTATE_AVX512_KMASK: u32 = 5;
/// `XSTATE_AVX512_ZMM_H`: feature index of the upper halves of ZMM0-15.
pub const XSTATE_AVX512_ZMM_H: u32 = 6;
/// `XSTATE_AVX512_ZMM`: feature index of ZMM16-31.
pub const XSTATE_AVX512_ZMM: u32 = 7;
/// `XSTATE_IPT`: feature index of the Intel Processor Trace state.
pub const XSTATE_IPT: u32 = 8;
/// `XSTATE_LWP`: feature index of AMD's lightweight profiling state.
pub const XSTATE_LWP: u32 = 62;

/// `SYSTEMTIME`: a calendar date and wall-clock time, each part its own
/// 16-bit field.
///
/// Inside [`TimeZoneInformation`] it describes a yearly rule rather than a
/// date: `month` 0 means "no daylight saving", and with `year` 0 `day` is the
/// week of the month (1-5, 5 meaning the last) on which `day_of_week` falls.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct SystemTime {
    /// Year (1601-30827), or 0 in a recurring rule.
    pub year: U16,
    /// Month, 1 (January) to 12.
    pub month: U16,
    /// Day of the week, 0 (Sunday) to 6.
    pub day_of_week: U16,
    /// Day of the month, 1 to 31 (or the week number in a recurring rule).
    pub day: U16,
    /// Hour, 0 to 23.
    pub hour: U16,
    /// Minute, 0 to 59.
    pub minute: U16,
    /// Second, 0 to 59.
    pub second: U16,
    /// Millisecond, 0 to 999.
    pub milliseconds: U16,
}
const _: () = assert!(core::mem::size_of::<SystemTime>() == 16);

/// `TIME_ZONE_INFORMATION`: the time zone of the machine that wrote the dump.
/// All biases are in minutes, and UTC = local time + bias (+ the standard or
/// daylight bias, whichever is in effect).
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct TimeZoneInformation {
    /// Base offset of the zone from UTC, in minutes (UTC = local + bias).
    pub bias: I32,
    /// Name of standard time (for example "Pacific Standard Time"), UTF-16,
    /// NUL-terminated unless it fills the array; may be empty.
    pub standard_name: [U16; 32],
    /// When daylight saving time ends (see [`SystemTime`] for the rule form).
    pub standard_date: SystemTime,
    /// Extra bias in minutes added to `bias` during standard time (usually 0).
    pub standard_bias: I32,
    /// Name of daylight saving time, UTF-16, NUL-terminated unless it fills
    /// the array; may be empty.
    pub daylight_name: [U16; 32],
    /// When daylight saving time starts (see [`SystemTime`] for the rule form).
    pub daylight_date: SystemTime,
    /// Extra bias in minutes added to `bias` during daylight saving time
    /// (usually -60).
    pub daylight_bias: I32,
}
const _: () = assert!(core::mem::size_of::<TimeZoneInformation>() == 172);

/// `XSTATE_FEATURE`: where one processor extended-state component lives
/// inside the XSAVE area of a thread context.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct XStateFeature {
    /// Offset of the component from the start of the XSAVE area.
    pub offset: U32,
    /// Size of the component in bytes.
    pub size: U32,
}
const _: () = assert!(core::mem::size_of::<XStateFeature>() == 8);

/// `XSTATE_CONFIG_FEATURE_MSC_INFO`: the XSAVE layout the writing machine
/// used, needed to find e.g. AVX registers in a context's extended area.
///
/// No `Default` (the array is too long for the derive); use
/// `zerocopy::FromZeros::new_zeroed()`.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct XStateConfigFeatureMscInfo {
    /// Size of this structure in bytes (528); 0 when the writer filled none of it.
    pub size_of_info: U32,
    /// Total size in bytes of the extended context (the XSAVE area).
    pub context_size: U32,
    /// Bit `n` set means `features[n]` is meaningful (see the `XSTATE_*`
    /// indices).
    pub enabled_features: U64,
    /// Layout of each component, indexed by feature number.
    pub features: [XStateFeature; MAXIMUM_XSTATE_FEATURES],
}
const _: () = assert!(core::mem::size_of::<XStateConfigFeatureMscInfo>() == 528);

/// `MINIDUMP_MISC_INFO`: the original 24-byte misc info (version 1).
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct MiscInfo {
    /// Size in bytes of the structure the writer used; tells the version.
    pub size_of_info: U32,
    /// `MINIDUMP_MISCn_*` bits telling which of the other fields are valid.
    pub flags1: U32,
    /// Id of the dumped process ([`MINIDUMP_MISC1_PROCESS_ID`]).
    pub process_id: U32,
    /// When the process started, in seconds since the Unix epoch
    /// ([`MINIDUMP_MISC1_PROCESS_TIMES`]).
    pub process_create_time: U32,
    /// Seconds of CPU time the process spent in user mode.
    pub process_user_time: U32,
    /// Seconds of CPU time the process spent in kernel mode.
    pub process_kernel_time: U32,
}
const _: () = assert!(core::mem::size_of::<MiscInfo>() == MINIDUMP_MISC_INFO_SIZE);

/// `MINIDUMP_MISC_INFO_2`: version 1 plus processor power information.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct MiscInfo2 {
    /// See [`MiscInfo::size_of_info`].
    pub size_of_info: U32,
    /// See [`MiscInfo::flags1`].
    pub flags1: U32,
    /// See [`MiscInfo::process_id`].
    pub process_id: U32,
    /// See [`MiscInfo::process_create_time`].
    pub process_create_time: U32,
    /// See [`MiscInfo::process_user_time`].
    pub process_user_time: U32,
    /// See [`MiscInfo::process_kernel_time`].
    pub process_kernel_time: U32,
    /// Highest clock rate of the processor in MHz
    /// ([`MINIDUMP_MISC1_PROCESSOR_POWER_INFO`]).
    pub processor_max_mhz: U32,
    /// Clock rate of the processor when the dump was written, in MHz.
    pub processor_current_mhz: U32,
    /// Clock rate limit imposed by power management, in MHz.
    pub processor_mhz_limit: U32,
    /// Deepest idle state the processor supports.
    pub processor_max_idle_state: U32,
    /// Idle state the processor was in.
    pub processor_current_idle_state: U32,
}
const _: () = assert!(core::mem::size_of::<MiscInfo2>() == MINIDUMP_MISC_INFO_2_SIZE);

/// `MINIDUMP_MISC_INFO_3`: version 2 plus process security attributes and
/// the time zone.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct MiscInfo3 {
    /// See [`MiscInfo::size_of_info`].
    pub size_of_info: U32,
    /// See [`MiscInfo::flags1`].
    pub flags1: U32,
    /// See [`MiscInfo::process_id`].
    pub process_id: U32,
    /// See [`MiscInfo::process_create_time`].
    pub process_create_time: U32,
    /// See [`MiscInfo::process_user_time`].
    pub process_user_time: U32,
    /// See [`MiscInfo::process_kernel_time`].
    pub process_kernel_time: U32,
    /// See [`MiscInfo2::processor_max_mhz`].
    pub processor_max_mhz: U32,
    /// See [`MiscInfo2::processor_current_mhz`].
    pub processor_current_mhz: U32,
    /// See [`MiscInfo2::processor_mhz_limit`].
    pub processor_mhz_limit: U32,
    /// See [`MiscInfo2::processor_max_idle_state`].
    pub processor_max_idle_state: U32,
    /// See [`MiscInfo2::processor_current_idle_state`].
    pub processor_current_idle_state: U32,
    /// Mandatory integrity level of the process token (a RID such as
    /// 0x2000 for medium) ([`MINIDUMP_MISC3_PROCESS_INTEGRITY`]).
    pub process_integrity_level: U32,
    /// The process's DEP / execute flags (`MEM_EXECUTE_OPTION_*`)
    /// ([`MINIDUMP_MISC3_PROCESS_EXECUTE_FLAGS`]).
    pub process_execute_flags: U32,
    /// Nonzero if the process was a protected process
    /// ([`MINIDUMP_MISC3_PROTECTED_PROCESS`]).
    pub protected_process: U32,
    /// Which part of the zone's rule was in effect: a `TIME_ZONE_ID_*` value
    /// ([`MINIDUMP_MISC3_TIMEZONE`]).
    pub time_zone_id: U32,
    /// The machine's time zone ([`MINIDUMP_MISC3_TIMEZONE`]).
    pub time_zone: TimeZoneInformation,
}
const _: () = assert!(core::mem::size_of::<MiscInfo3>() == MINIDUMP_MISC_INFO_3_SIZE);

/// `MINIDUMP_MISC_INFO_4`: version 3 plus the OS build strings.
///
/// No `Default` (the strings are too long for the derive); use
/// `zerocopy::FromZeros::new_zeroed()`.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct MiscInfo4 {
    /// See [`MiscInfo::size_of_info`].
    pub size_of_info: U32,
    /// See [`MiscInfo::flags1`].
    pub flags1: U32,
    /// See [`MiscInfo::process_id`].
    pub process_id: U32,
    /// See [`MiscInfo::process_create_time`].
    pub process_create_time: U32,
    /// See [`MiscInfo::process_user_time`].
    pub process_user_time: U32,
    /// See [`MiscInfo::process_kernel_time`].
    pub process_kernel_time: U32,
    /// See [`MiscInfo2::processor_max_mhz`].
    pub processor_max_mhz: U32,
    /// See [`MiscInfo2::processor_current_mhz`].
    pub processor_current_mhz: U32,
    /// See [`MiscInfo2::processor_mhz_limit`].
    pub processor_mhz_limit: U32,
    /// See [`MiscInfo2::processor_max_idle_state`].
    pub processor_max_idle_state: U32,
    /// See [`MiscInfo2::processor_current_idle_state`].
    pub processor_current_idle_state: U32,
    /// See [`MiscInfo3::process_integrity_level`].
    pub process_integrity_level: U32,
    /// See [`MiscInfo3::process_execute_flags`].
    pub process_execute_flags: U32,
    /// See [`MiscInfo3::protected_process`].
    pub protected_process: U32,
    /// See [`MiscInfo3::time_zone_id`].
    pub time_zone_id: U32,
    /// See [`MiscInfo3::time_zone`].
    pub time_zone: TimeZoneInformation,
    /// The OS build string (for example
    /// "19041.1.amd64fre.vb_release.191206-1406"), UTF-16, NUL-terminated
    /// unless it fills the array ([`MINIDUMP_MISC4_BUILDSTRING`]).
    pub build_string: [U16; MAX_PATH],
    /// Name and version of the dbghelp that wrote the dump (for example
    /// "dbghelp.amd64,6.3.9600.16520"), UTF-16, NUL-terminated unless it
    /// fills the array ([`MINIDUMP_MISC4_BUILDSTRING`]).
    pub dbg_bld_str: [U16; DBG_BLD_STR_LEN],
}
const _: () = assert!(core::mem::size_of::<MiscInfo4>() == MINIDUMP_MISC_INFO_4_SIZE);

/// `MINIDUMP_MISC_INFO_5` (= `MINIDUMP_MISC_INFO_N`): version 4 plus the
/// XSAVE layout and the process cookie.
///
/// No `Default` (the arrays are too long for the derive); use
/// `zerocopy::FromZeros::new_zeroed()`.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct MiscInfo5 {
    /// See [`MiscInfo::size_of_info`].
    pub size_of_info: U32,
    /// See [`MiscInfo::flags1`].
    pub flags1: U32,
    /// See [`MiscInfo::process_id`].
    pub process_id: U32,
    /// See [`MiscInfo::process_create_time`].
    pub process_create_time: U32,
    /// See [`MiscInfo::process_user_time`].
    pub process_user_time: U32,
    /// See [`MiscInfo::process_kernel_time`].
    pub process_kernel_time: U32,
    /// See [`MiscInfo2::processor_max_mhz`].
    pub processor_max_mhz: U32,
    /// See [`MiscInfo2::processor_current_mhz`].
    pub processor_current_mhz: U32,
    /// See [`MiscInfo2::processor_mhz_limit`].
    pub processor_mhz_limit: U32,
    /// See [`MiscInfo2::processor_max_idle_state`].
    pub processor_max_idle_state: U32,
    /// See [`MiscInfo2::processor_current_idle_state`].
    pub processor_current_idle_state: U32,
    /// See [`MiscInfo3::process_integrity_level`].
    pub process_integrity_level: U32,
    /// See [`MiscInfo3::process_execute_flags`].
    pub process_execute_flags: U32,
    /// See [`MiscInfo3::protected_process`].
    pub protected_process: U32,
    /// See [`MiscInfo3::time_zone_id`].
    pub time_zone_id: U32,
    /// See [`MiscInfo3::time_zone`].
    pub time_zone: TimeZoneInformation,
    /// See [`MiscInfo4::build_string`].
    pub build_string: [U16; MAX_PATH],
    /// See [`MiscInfo4::dbg_bld_str`].
    pub dbg_bld_str: [U16; DBG_BLD_STR_LEN],
    /// XSAVE layout of the machine. Not governed by `flags1`: valid when its
    /// own `size_of_info` is nonzero.
    pub xstate_data: XStateConfigFeatureMscInfo,
    /// The process's pointer-encoding cookie ([`MINIDUMP_MISC5_PROCESS_COOKIE`]).
    pub process_cookie: U32,
}
const _: () = assert!(core::mem::size_of::<MiscInfo5>() == MINIDUMP_MISC_INFO_5_SIZE);

/// Every version of the misc info structure that fits in a stream's bytes,
/// viewed in place. Because each version is a prefix of the next, all the
/// smaller versions are present whenever a larger one is.
///
/// Built by [`MiscInfoView::from_bytes`] from the stream's bytes alone: the
/// largest version is the one that fits, regardless of `size_of_info`. A
/// reader that prefers `size_of_info` can shorten the slice to it first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MiscInfoView<'a> {
    /// Version 1 fields (always present).
    pub v1: &'a MiscInfo,
    /// Version 2, if the bytes hold at least [`MINIDUMP_MISC_INFO_2_SIZE`].
    pub v2: Option<&'a MiscInfo2>,
    /// Version 3, if the bytes hold at least [`MINIDUMP_MISC_INFO_3_SIZE`].
    pub v3: Option<&'a MiscInfo3>,
    /// Version 4, if the bytes hold at least [`MINIDUMP_MISC_INFO_4_SIZE`].
    pub v4: Option<&'a MiscInfo4>,
    /// Version 5, if the bytes hold at least [`MINIDUMP_MISC_INFO_5_SIZE`].
    pub v5: Option<&'a MiscInfo5>,
}

impl<'a> MiscInfoView<'a> {
    /// Views every version that fits in `bytes` (extra bytes past the largest
    /// version are ignored). `None` if `bytes` is shorter than version 1.
    pub fn from_bytes(bytes: &'a [u8]) -> Option<Self> {
        let v1 = MiscInfo::ref_from_prefix(bytes).ok()?.0;
        Some(Self {
            v1,
            v2: MiscInfo2::ref_from_prefix(bytes).ok().map(|(v, _)| v),
            v3: MiscInfo3::ref_from_prefix(bytes).ok().map(|(v, _)| v),
            v4: MiscInfo4::ref_from_prefix(bytes).ok().map(|(v, _)| v),
            v5: MiscInfo5::ref_from_prefix(bytes).ok().map(|(v, _)| v),
        })
    }

    /// The largest version present, 1 to 5.
    pub fn version(&self) -> u32 {
        if self.v5.is_some() {
            5
        } else if self.v4.is_some() {
            4
        } else if self.v3.is_some() {
            3
        } else if self.v2.is_some() {
            2
        } else {
            1
        }
    }

    /// Size in bytes of the largest version present.
    pub fn size(&self) -> usize {
        match self.version() {
            5 => MINIDUMP_MISC_INFO_5_SIZE,
            4 => MINIDUMP_MISC_INFO_4_SIZE,
            3 => MINIDUMP_MISC_INFO_3_SIZE,
            2 => MINIDUMP_MISC_INFO_2_SIZE,
            _ => MINIDUMP_MISC_INFO_SIZE,
        }
    }

    /// `flags1` (the same in every version).
    pub fn flags1(&self) -> u32 {
        self.v1.flags1.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zerocopy::FromZeros;

    fn put_u16(buf: &mut [u8], off: usize, v: u16) {
        buf[off..off + 2].copy_from_slice(&v.to_le_bytes());
    }
    fn put_u32(buf: &mut [u8], off: usize, v: u32) {
        buf[off..off + 4].copy_from_slice(&v.to_le_bytes());
    }
    fn put_u64(buf: &mut [u8], off: usize, v: u64) {
        buf[off..off + 8].copy_from_slice(&v.to_le_bytes());
    }

    #[test]
    fn sizes() {
        assert_eq!(core::mem::size_of::<MiscInfo>(), 24);
        assert_eq!(core::mem::size_of::<MiscInfo2>(), 44);
        assert_eq!(core::mem::size_of::<MiscInfo3>(), 232);
        assert_eq!(core::mem::size_of::<MiscInfo4>(), 832);
        assert_eq!(core::mem::size_of::<MiscInfo5>(), 1364);
        assert_eq!(core::mem::size_of::<TimeZoneInformation>(), 172);
        assert_eq!(core::mem::size_of::<SystemTime>(), 16);
    }

    #[test]
    fn v1_fields() {
        let mut b = [0u8; 24];
        put_u32(&mut b, 0, 24);
        put_u32(&mut b, 4, MINIDUMP_MISC1_PROCESS_ID | MINIDUMP_MISC1_PROCESS_TIMES);
        put_u32(&mut b, 8, 4242);
        put_u32(&mut b, 12, 0x6000_0000);
        put_u32(&mut b, 16, 7);
        put_u32(&mut b, 20, 3);
        let m = MiscInfo::ref_from_bytes(&b).unwrap();
        assert_eq!(m.size_of_info.get(), 24);
        assert_eq!(m.flags1.get(), 3);
        assert_eq!(m.process_id.get(), 4242);
        assert_eq!(m.process_create_time.get(), 0x6000_0000);
        assert_eq!(m.process_user_time.get(), 7);
        assert_eq!(m.process_kernel_time.get(), 3);
    }

    #[test]
    fn v2_power_fields() {
        let mut b = [0u8; 44];
        for (i, off) in (24..44).step_by(4).enumerate() {
            put_u32(&mut b, off, 100 + i as u32);
        }
        let m = MiscInfo2::ref_from_bytes(&b).unwrap();
        assert_eq!(m.processor_max_mhz.get(), 100);
        assert_eq!(m.processor_current_mhz.get(), 101);
        assert_eq!(m.processor_mhz_limit.get(), 102);
        assert_eq!(m.processor_max_idle_state.get(), 103);
        assert_eq!(m.processor_current_idle_state.get(), 104);
    }

    #[test]
    fn v5_all_offsets() {
        let mut b = [0u8; 1364];
        put_u32(&mut b, 0, 1364);
        put_u32(&mut b, 44, 0x2000); // integrity
        put_u32(&mut b, 48, 0x4d); // execute flags
        put_u32(&mut b, 52, 1); // protected
        put_u32(&mut b, 56, TIME_ZONE_ID_DAYLIGHT);
        // time zone at 60
        put_u32(&mut b, 60, 480); // bias
        put_u16(&mut b, 64, u16::from(b'P')); // standard_name[0]
        put_u16(&mut b, 64 + 62, u16::from(b'z')); // standard_name[31]
        put_u16(&mut b, 128 + 2, 11); // standard_date.month
        put_u16(&mut b, 128 + 14, 999); // standard_date.milliseconds
        put_u32(&mut b, 144, 0); // standard_bias
        put_u16(&mut b, 148, u16::from(b'D')); // daylight_name[0]
        put_u16(&mut b, 212 + 2, 3); // daylight_date.month
        put_u16(&mut b, 212 + 6, 2); // daylight_date.day
        put_u32(&mut b, 228, (-60i32) as u32); // daylight_bias
        put_u16(&mut b, 232, u16::from(b'1')); // build_string[0]
        put_u16(&mut b, 232 + 2 * 259, u16::from(b'!')); // build_string[259]
        put_u16(&mut b, 752, u16::from(b'd')); // dbg_bld_str[0]
        put_u16(&mut b, 752 + 2 * 39, u16::from(b'e')); // dbg_bld_str[39]
                                                        // xstate at 832
        put_u32(&mut b, 832, 528);
        put_u32(&mut b, 836, 0x340);
        put_u64(&mut b, 840, 0x7);
        put_u32(&mut b, 848 + 2 * 8, 576); // features[2].offset
        put_u32(&mut b, 848 + 2 * 8 + 4, 256); // features[2].size
        put_u32(&mut b, 848 + 63 * 8 + 4, 0x55); // features[63].size
        put_u32(&mut b, 1360, 0xdead_beef); // process cookie

        let m = MiscInfo5::ref_from_bytes(&b).unwrap();
        assert_eq!(m.size_of_info.get(), 1364);
        assert_eq!(m.process_integrity_level.get(), 0x2000);
        assert_eq!(m.process_execute_flags.get(), 0x4d);
        assert_eq!(m.protected_process.get(), 1);
        assert_eq!(m.time_zone_id.get(), TIME_ZONE_ID_DAYLIGHT);
        let tz = &m.time_zone;
        assert_eq!(tz.bias.get(), 480);
        assert_eq!(tz.standard_name[0].get(), u16::from(b'P'));
        assert_eq!(tz.standard_name[31].get(), u16::from(b'z'));
        assert_eq!(tz.standard_date.month.get(), 11);
        assert_eq!(tz.standard_date.milliseconds.get(), 999);
        assert_eq!(tz.daylight_name[0].get(), u16::from(b'D'));
        assert_eq!(tz.daylight_date.month.get(), 3);
        assert_eq!(tz.daylight_date.day.get(), 2);
        assert_eq!(tz.daylight_bias.get(), -60);
        assert_eq!(m.build_string[0].get(), u16::from(b'1'));
        assert_eq!(m.build_string[259].get(), u16::from(b'!'));
        assert_eq!(m.dbg_bld_str[0].get(), u16::from(b'd'));
        assert_eq!(m.dbg_bld_str[39].get(), u16::from(b'e'));
        assert_eq!(m.xstate_data.size_of_info.get(), 528);
        assert_eq!(m.xstate_data.context_size.get(), 0x340);
        assert_eq!(m.xstate_data.enabled_features.get(), 7);
        let avx = m.xstate_data.features[XSTATE_AVX as usize];
        assert_eq!((avx.offset.get(), avx.size.get()), (576, 256));
        assert_eq!(m.xstate_data.features[63].size.get(), 0x55);
        assert_eq!(m.process_cookie.get(), 0xdead_beef);

        // The smaller versions are prefixes of the same bytes.
        let (m3, _) = MiscInfo3::ref_from_prefix(&b).unwrap();
        assert_eq!(m3.time_zone, m.time_zone);
        let (m4, _) = MiscInfo4::ref_from_prefix(&b).unwrap();
        assert_eq!(m4.build_string, m.build_string);
    }

    #[test]
    fn view_picks_largest_fitting() {
        let mut b = [0u8; 1400];
        put_u32(&mut b, 0, 232);
        put_u32(&mut b, 4, MINIDUMP_MISC3_TIMEZONE);
        put_u32(&mut b, 56, TIME_ZONE_ID_STANDARD);

        assert!(MiscInfoView::from_bytes(&b[..23]).is_none());
        let cases = [
            (24, 1, 24),
            (43, 1, 24),
            (44, 2, 44),
            (231, 2, 44),
            (232, 3, 232),
            (831, 3, 232),
            (832, 4, 832),
            (1363, 4, 832),
            (1364, 5, 1364),
            (1400, 5, 1364),
        ];
        for (len, version, size) in cases {
            let v = MiscInfoView::from_bytes(&b[..len]).unwrap();
            assert_eq!(v.version(), version, "len {len}");
            assert_eq!(v.size(), size, "len {len}");
            assert_eq!(v.flags1(), MINIDUMP_MISC3_TIMEZONE);
            assert_eq!(v.v1.size_of_info.get(), 232);
        }
        let v = MiscInfoView::from_bytes(&b[..232]).unwrap();
        assert_eq!(v.v3.unwrap().time_zone_id.get(), TIME_ZONE_ID_STANDARD);
        assert!(v.v2.is_some() && v.v4.is_none() && v.v5.is_none());
    }

    #[test]
    fn zeroed_round_trip() {
        let mut m = MiscInfo5::new_zeroed();
        m.process_cookie.set(9);
        m.xstate_data.features[1].offset.set(160);
        let bytes = zerocopy::IntoBytes::as_bytes(&m);
        assert_eq!(&bytes[1360..1364], &9u32.to_le_bytes());
        assert_eq!(&bytes[848 + 8..848 + 12], &160u32.to_le_bytes());
    }
}
