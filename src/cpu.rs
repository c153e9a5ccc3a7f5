//! The instruction sets a run computes with: a value of the run's options ([`Cpu`]), never
//! ambient state.
//!
//! A [`Cpu`] can only be made for instructions this CPU has: it holds the `pulp` token of
//! its instruction set, which `pulp` makes only after detecting, at run time, every
//! feature that instruction set enables (for AVX-512: F, BW, CD, DQ and VL with all of
//! AVX2, FMA, BMI1/2, LZCNT and SSE4.2). Code compiled for a path takes the token as its
//! proof, so holding a `Cpu` is the precondition every `unsafe` call to such code states.
//!
//! Every path computes the same numbers: the same operations in the same order on IEEE
//! doubles (Rust never fuses a multiply and an add on its own), so a run's files do not
//! depend on the path (tested on every path the CPU offers, in one process).
//!
//! | path | what it runs |
//! |---|---|
//! | `avx512` | Philox ×16, table lookups in AVX-512 registers, and the household passes compiled for AVX-512 (8 households per instruction) |
//! | `avx2` | Philox ×8 in AVX2 registers, table lookups in AVX2 registers, and the household passes compiled for AVX2 (4 per instruction) |
//! | `portable` | any CPU: the compiler's baseline (SSE2 on x86-64, NEON on aarch64) |
//!
//! On aarch64, NEON is part of the baseline instruction set, so `portable` is the NEON path
//! there. Adding a path: a variant of `Path` with its `pulp` token, its name in
//! [`Cpu::NAMES`], and the kernels that pay for it (see `rng::philox`, `rng::numeric`,
//! `model::lanes`).

#[cfg(target_arch = "x86_64")]
use pulp::x86::{V3, V4};

/// A code path this CPU runs, chosen for a run (`--cpu`), recorded in its `manifest.toml`.
#[derive(Clone, Copy, Debug)]
pub struct Cpu {
    path: Path,
}

/// The instruction set of a [`Cpu`], with the token that proves the CPU has it.
#[derive(Clone, Copy, Debug)]
enum Path {
    /// The compiler's baseline instructions.
    Portable,
    /// AVX2 with FMA (x86-64-v3).
    #[cfg(target_arch = "x86_64")]
    Avx2(V3),
    /// AVX-512 F, BW, CD, DQ, VL (x86-64-v4).
    #[cfg(target_arch = "x86_64")]
    Avx512(V4),
}

impl PartialEq for Cpu {
    fn eq(&self, other: &Self) -> bool {
        self.name() == other.name()
    }
}

impl Eq for Cpu {}

impl Default for Cpu {
    /// The fastest path this CPU runs ([`Cpu::best`]).
    fn default() -> Self {
        Self::best()
    }
}

impl std::fmt::Display for Cpu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Cpu {
    /// Every path's name, slowest first; `best` names the fastest this CPU runs.
    pub const NAMES: [&'static str; 3] = ["portable", "avx2", "avx512"];

    /// The baseline path, for any CPU.
    pub fn portable() -> Self {
        Self { path: Path::Portable }
    }

    /// The fastest path this CPU runs (detected at run time).
    pub fn best() -> Self {
        Self::available().pop().unwrap_or_else(Self::portable)
    }

    /// Every path this CPU runs, slowest first.
    pub fn available() -> Vec<Self> {
        Self::NAMES.iter().filter_map(|name| Self::named(name).ok()).collect()
    }

    /// The path called `name` (one of [`Cpu::NAMES`], or `best`).
    ///
    /// # Errors
    /// Why there is none: the name is none of the paths, or this CPU lacks its
    /// instructions.
    pub fn named(name: &str) -> Result<Self, String> {
        let lacks = || format!("is \"{name}\"; this CPU lacks its instructions (it runs {})", here());
        match name {
            "best" => Ok(Self::best()),
            "portable" => Ok(Self::portable()),
            #[cfg(target_arch = "x86_64")]
            "avx2" => V3::try_new().map(|v3| Self { path: Path::Avx2(v3) }).ok_or_else(lacks),
            #[cfg(target_arch = "x86_64")]
            "avx512" => V4::try_new().map(|v4| Self { path: Path::Avx512(v4) }).ok_or_else(lacks),
            _ if Self::NAMES.contains(&name) => Err(lacks()),
            _ => Err(format!("is \"{name}\"; one of {}, best is needed", Self::NAMES.join(", "))),
        }
    }

    /// The path's name ([`Cpu::NAMES`]).
    pub fn name(self) -> &'static str {
        match self.path {
            Path::Portable => "portable",
            #[cfg(target_arch = "x86_64")]
            Path::Avx2(_) => "avx2",
            #[cfg(target_arch = "x86_64")]
            Path::Avx512(_) => "avx512",
        }
    }

    /// The token of AVX2 (x86-64-v3) where the path has it (the AVX2 and AVX-512 paths).
    #[cfg(target_arch = "x86_64")]
    pub(crate) fn v3(self) -> Option<V3> {
        match self.path {
            Path::Portable => None,
            Path::Avx2(v3) => Some(v3),
            Path::Avx512(v4) => Some(*v4),
        }
    }

    /// The token of AVX-512 (x86-64-v4) where the path is AVX-512.
    #[cfg(target_arch = "x86_64")]
    pub(crate) fn v4(self) -> Option<V4> {
        match self.path {
            Path::Avx512(v4) => Some(v4),
            _ => None,
        }
    }

    /// `f()` compiled for the path: with every feature of its `pulp` token (which `pulp`
    /// made only after detecting them) on the AVX-512 and AVX2 paths, as the baseline
    /// elsewhere. `f` is a closure marked `#[inline(always)]`, so that its loops are
    /// compiled inside the token's `vectorize`.
    #[inline(always)]
    pub(crate) fn vectorize<R>(self, f: impl FnOnce() -> R) -> R {
        #[cfg(target_arch = "x86_64")]
        if let Some(v4) = self.v4() {
            return v4.vectorize(f);
        }
        #[cfg(target_arch = "x86_64")]
        if let Some(v3) = self.v3() {
            return v3.vectorize(f);
        }
        f()
    }
}

/// The names of the paths this CPU runs, for messages.
fn here() -> String {
    Cpu::available().iter().map(|c| c.name()).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_a_path_or_says_why_not() {
        for name in Cpu::NAMES {
            match Cpu::named(name) {
                Ok(cpu) => assert_eq!(cpu.name(), name),
                Err(e) => assert!(e.contains("lacks its instructions"), "{e}"),
            }
        }
        assert!(Cpu::named("avx-512").unwrap_err().contains("one of portable, avx2, avx512, best"));
        assert_eq!(Cpu::named("best").unwrap(), Cpu::best());
        assert_eq!(Cpu::available()[0], Cpu::portable());
    }
}
