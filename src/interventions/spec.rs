//! The `[[intervention]]` table: its keys, defaults per module kind, and its checks.

use serde::{Deserialize, Serialize};

use crate::model::household::module;
use crate::params::{Population, RangeProblem, check_range};

/// The module kinds of the DW4FS programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Kind {
    /// More efficient production patterns (good agricultural practice, field schools).
    ProductionTraining,
    /// Organisational procedures: groups and cooperatives (C-BED style).
    Cooperative,
    /// Entrepreneurial skills (GET Ahead / SIYB style).
    Entrepreneurship,
    /// Financial-management skills (financial literacy).
    FinancialManagement,
}

impl Kind {
    /// Every kind, in documentation order.
    pub(crate) const ALL: [Kind; 4] =
        [Self::ProductionTraining, Self::Cooperative, Self::Entrepreneurship, Self::FinancialManagement];

    /// The name used in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Self::ProductionTraining => "production_training",
            Self::Cooperative => "cooperative",
            Self::Entrepreneurship => "entrepreneurship",
            Self::FinancialManagement => "financial_management",
        }
    }

    /// Parse a scenario-file name.
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The household module bit of this kind.
    pub(crate) fn module_bit(self) -> u8 {
        match self {
            Self::ProductionTraining => module::PRODUCTION,
            Self::Cooperative => module::COOPERATIVE,
            Self::Entrepreneurship => module::ENTREPRENEURSHIP,
            Self::FinancialManagement => module::FINANCE,
        }
    }

    /// Default cost per participant, rupiah: USD 2.0 M for 10,000 farmers = USD 200 per
    /// farmer × Rp 14,308 per USD ≈ Rp 2.86 M, split across the modules (split: modelling choice).
    pub(crate) fn default_cost_idr_per_participant(self) -> f64 {
        match self {
            Self::ProductionTraining => 1_000_000.0,
            Self::Cooperative => 570_000.0,
            Self::Entrepreneurship => 860_000.0,
            Self::FinancialManagement => 430_000.0,
        }
    }
}

/// How a module chooses whom to invite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Targeting {
    /// Every household is invited (each invitation delivered with probability = government
    /// readiness); capacity is not used.
    All,
    /// Lowest expected income per person first, up to capacity.
    PoorestFirst,
    /// A random sample, up to capacity.
    Random,
    /// A random sample of the households of the listed `villages`, up to capacity.
    Villages,
    /// Groups: villages drawn at random, `group_size` households invited in each (drawn
    /// among its eligible households), as many groups as capacity allows. A programme
    /// that organises producer groups or cooperatives recruits this way.
    Groups,
}

impl Targeting {
    /// Every targeting rule's name.
    pub const NAMES: [&'static str; 5] = ["all", "poorest_first", "random", "villages", "groups"];
}

/// Where the households an intervention may invite live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Location {
    /// On the coast (the seaweed and fishing villages of Kupang's 485 km of coastline).
    Coastal,
    /// Inland.
    Inland,
}

impl Location {
    /// Every location's name.
    pub const NAMES: [&'static str; 2] = ["coastal", "inland"];
}

/// One intervention, validated and with every default filled in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Intervention {
    /// Stable name chosen by the analyst; keys this intervention's random draws.
    pub id: String,
    /// Module kind.
    pub(crate) kind: Kind,
    /// First season of delivery (0 = wet season of the base year).
    pub start_season: u32,
    /// Last season of delivery, inclusive.
    pub end_season: u32,
    /// Whom to invite first.
    #[serde(default = "default_targeting")]
    pub targeting: Targeting,
    /// Villages served when `targeting = "villages"`: indices of the run's villages,
    /// `0 ..` [`Population::simulated_villages`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub villages: Vec<u32>,
    /// Invitations per season at full government readiness, households, stated for
    /// `population.reference_households` (scaled to the run's households).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_per_season: Option<u64>,
    /// Invitations per season as a share of all households (alternative to the above).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage_share_per_season: Option<f64>,
    /// Invite only households of this location: `coastal` or `inland` (any when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) location: Option<Location>,
    /// Invite only households that took part in the intervention with this id, an earlier
    /// one of the scenario, in an earlier season (a package given in sequence).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follows: Option<String>,
    /// The index of the intervention `follows` names, set when the scenario is loaded.
    #[serde(skip)]
    pub follows_index: Option<usize>,
    /// Households invited per group when `targeting = "groups"` (default 25: the DW4FS
    /// seaweed group "Dari Dulu" had 23 members, ILO 2015).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_size: Option<u64>,
    /// Cost per participant, rupiah (default per kind).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_idr_per_participant: Option<f64>,
    /// Take-up of an invited household with readiness 0.
    #[serde(default = "default_takeup_min")]
    pub takeup_min_share: f64,
    /// Take-up of an invited household with readiness 1.
    #[serde(default = "default_takeup_max")]
    pub takeup_max_share: f64,
    /// Skill conferred, in [0, 1] (production, entrepreneurship, financial management).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skill_share: Option<f64>,
    /// Probability that a trainee starts a venture (entrepreneurship).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_probability: Option<f64>,
    /// Governance added to the village cooperative at government readiness 1 (cooperative).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub governance_boost: Option<f64>,
}

fn default_targeting() -> Targeting {
    Targeting::PoorestFirst
}

fn default_takeup_min() -> f64 {
    0.3
}

fn default_takeup_max() -> f64 {
    0.9
}

/// The type of an intervention key's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyType {
    /// A string.
    Text,
    /// A whole number ≥ 0.
    Integer,
    /// A list of whole numbers ≥ 0.
    Integers,
    /// A number.
    Number,
}

impl KeyType {
    /// The type's name in the reference.
    pub fn name(self) -> &'static str {
        match self {
            Self::Text => "string",
            Self::Integer => "integer",
            Self::Integers => "list of integers",
            Self::Number => "number",
        }
    }
}

/// One intervention key: its type, default, valid values, meaning, and the kinds that
/// accept it (every kind when empty).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct KeyDoc {
    /// The key.
    pub key: &'static str,
    /// The type of its value.
    pub ty: KeyType,
    /// Its default, as the reference states it.
    pub default: &'static str,
    /// Its valid values.
    pub valid: &'static str,
    /// What it means, with its unit and source.
    pub meaning: &'static str,
    /// The kinds that accept it; empty: every kind.
    pub kinds: &'static [Kind],
}

impl KeyDoc {
    /// True if an intervention of `kind` accepts this key.
    pub(crate) fn accepted_by(&self, kind: Kind) -> bool {
        self.kinds.is_empty() || self.kinds.contains(&kind)
    }
}

/// Every key of an `[[intervention]]` table, declared once: what reads them
/// (`crate::scenario`), what checks them ([`Intervention::check`]) and the reference
/// (`crate::reference`) all come from here.
pub(crate) const KEYS: [KeyDoc; 17] = [
    KeyDoc {
        key: "id",
        ty: KeyType::Text,
        default: "required",
        valid: "unique in the scenario",
        meaning: "Stable name; keys the intervention's random draws and its rows in results.",
        kinds: &[],
    },
    KeyDoc {
        key: "kind",
        ty: KeyType::Text,
        default: "required",
        valid: "production_training, cooperative, entrepreneurship, financial_management",
        meaning: "The module.",
        kinds: &[],
    },
    KeyDoc {
        key: "start_season",
        ty: KeyType::Integer,
        default: "required",
        valid: "0 ..",
        meaning: "First season of delivery (0 = wet season of the base year).",
        kinds: &[],
    },
    KeyDoc {
        key: "end_season",
        ty: KeyType::Integer,
        default: "required",
        valid: "start_season ..",
        meaning: "Last season of delivery, inclusive.",
        kinds: &[],
    },
    KeyDoc {
        key: "targeting",
        ty: KeyType::Text,
        default: "poorest_first",
        valid: "all, poorest_first, random, villages, groups",
        meaning: "Whom to invite: everyone; lowest expected income per person first; a random sample; a random sample of the listed villages; groups of group_size households in villages drawn at random (as a programme that organises producer groups recruits).",
        kinds: &[],
    },
    KeyDoc {
        key: "villages",
        ty: KeyType::Integers,
        default: "[]",
        valid: "0 .. villages simulated − 1",
        meaning: "Villages served when targeting = \"villages\": indices of the run's villages, whose number is population.villages scaled to the run's households (a listed village the run does not have is an input error).",
        kinds: &[],
    },
    KeyDoc {
        key: "location",
        ty: KeyType::Text,
        default: "—",
        valid: "coastal, inland",
        meaning: "Invite only households of this location (any when absent): targeting by place, with any targeting rule.",
        kinds: &[],
    },
    KeyDoc {
        key: "follows",
        ty: KeyType::Text,
        default: "—",
        valid: "an earlier intervention's id",
        meaning: "Invite only households that took part in that intervention in an earlier season: a package given to the same households in sequence (DW4FS gave its groups production, organisation, entrepreneurship and finance).",
        kinds: &[],
    },
    KeyDoc {
        key: "capacity_per_season",
        ty: KeyType::Integer,
        default: "—",
        valid: "0 ..",
        meaning: "Invitations per season at government readiness 1, households, stated for population.reference_households; a run of another size scales it by households / reference_households. Give this or the next key (not with targeting = \"all\").",
        kinds: &[],
    },
    KeyDoc {
        key: "coverage_share_per_season",
        ty: KeyType::Number,
        default: "—",
        valid: "0 – 1",
        meaning: "Invitations per season as a share of all households.",
        kinds: &[],
    },
    KeyDoc {
        key: "group_size",
        ty: KeyType::Integer,
        default: "25",
        valid: "1 ..",
        meaning: "Households invited per group when targeting = \"groups\": capacity / group_size groups a season, the fraction rounded up with that probability (DW4FS seaweed group \"Dari Dulu\": 23 members, ILO 2015).",
        kinds: &[],
    },
    KeyDoc {
        key: "cost_idr_per_participant",
        ty: KeyType::Number,
        default: "per kind: 1,000,000 / 570,000 / 860,000 / 430,000",
        valid: "≥ 0",
        meaning: "Rupiah per participant: USD 2.0 M for 10,000 farmers (ILO) = USD 200 × Rp 14,308 ≈ Rp 2.86 M, split across modules (split: modelling choice).",
        kinds: &[],
    },
    KeyDoc {
        key: "takeup_min_share",
        ty: KeyType::Number,
        default: "0.3",
        valid: "0 – 1",
        meaning: "Take-up of an invited household at readiness 0 (modelling choice).",
        kinds: &[],
    },
    KeyDoc {
        key: "takeup_max_share",
        ty: KeyType::Number,
        default: "0.9",
        valid: "takeup_min_share – 1",
        meaning: "Take-up at readiness 1; take-up rises linearly in between (modelling choice).",
        kinds: &[],
    },
    KeyDoc {
        key: "skill_share",
        ty: KeyType::Number,
        default: "1.0",
        valid: "0 – 1",
        meaning: "skill conferred (decays with the half-life of its section).",
        kinds: &[Kind::ProductionTraining, Kind::Entrepreneurship, Kind::FinancialManagement],
    },
    KeyDoc {
        key: "start_probability",
        ty: KeyType::Number,
        default: "0.18",
        valid: "0 – 1",
        meaning: "probability a trainee starts a venture (SIYB: ≥ 2.65 M businesses from 15 M trainees).",
        kinds: &[Kind::Entrepreneurship],
    },
    KeyDoc {
        key: "governance_boost",
        ty: KeyType::Number,
        default: "0.3",
        valid: "0 – 1",
        meaning: "governance added to the village cooperative, × government readiness (modelling choice).",
        kinds: &[Kind::Cooperative],
    },
];

impl Intervention {
    /// True if the intervention delivers in `season`.
    pub(crate) fn is_active(&self, season: u32) -> bool {
        (self.start_season..=self.end_season).contains(&season)
    }

    /// Invitations per season at full government readiness in a run of `population`: an
    /// absolute capacity is stated for `population.reference_households` and scales with
    /// [`Population::scale`]; a coverage share is of the run's households.
    pub fn capacity(&self, population: &Population) -> f64 {
        let households = population.households as f64;
        match (self.capacity_per_season, self.coverage_share_per_season) {
            (Some(c), _) => c as f64 * population.scale(),
            (None, Some(share)) => share * households,
            (None, None) => households,
        }
    }

    /// Cost per participant, rupiah.
    pub fn cost_idr_per_participant(&self) -> f64 {
        self.cost_idr_per_participant.unwrap_or(self.kind.default_cost_idr_per_participant())
    }

    /// Households invited per group (`targeting = "groups"`).
    pub fn group_size(&self) -> u64 {
        self.group_size.unwrap_or(25)
    }

    /// Skill conferred (default 1).
    pub(crate) fn skill_share(&self) -> f64 {
        self.skill_share.unwrap_or(1.0)
    }

    /// Start probability of a trainee (default 0.18: SIYB ≥ 2.65 M businesses from 15 M trainees).
    pub(crate) fn start_probability(&self) -> f64 {
        self.start_probability.unwrap_or(0.18)
    }

    /// Governance boost (default 0.3, modelling choice).
    pub(crate) fn governance_boost(&self) -> f64 {
        self.governance_boost.unwrap_or(0.3)
    }

    /// Fill kind-specific defaults so the resolved scenario states every value.
    pub(crate) fn fill_defaults(&mut self) {
        self.cost_idr_per_participant = Some(self.cost_idr_per_participant());
        if self.targeting == Targeting::Groups {
            self.group_size = Some(self.group_size());
        }
        match self.kind {
            Kind::ProductionTraining | Kind::FinancialManagement => {
                self.skill_share = Some(self.skill_share());
            }
            Kind::Cooperative => self.governance_boost = Some(self.governance_boost()),
            Kind::Entrepreneurship => {
                self.skill_share = Some(self.skill_share());
                self.start_probability = Some(self.start_probability());
            }
        }
    }

    /// Every problem with this intervention in a run of `villages` villages; `path` is its
    /// key path in the file.
    pub fn check(&self, path: &str, villages: u64, out: &mut Vec<RangeProblem>) {
        let at = |key: &str| format!("{path}.{key}");
        if self.id.trim().is_empty() {
            out.push(RangeProblem { path: at("id"), message: "must not be empty".into() });
        }
        if self.end_season < self.start_season {
            out.push(RangeProblem {
                path: at("end_season"),
                message: format!(
                    "is {} but the start_season is {}: the end cannot come before the start",
                    self.end_season, self.start_season
                ),
            });
        }
        self.check_capacity(&at, out);
        self.check_villages(path, villages, out);
        check_range(&at("cost_idr_per_participant"), self.cost_idr_per_participant(), 0.0, 1e12, out);
        check_range(&at("takeup_min_share"), self.takeup_min_share, 0.0, 1.0, out);
        check_range(&at("takeup_max_share"), self.takeup_max_share, 0.0, 1.0, out);
        if self.takeup_min_share > self.takeup_max_share {
            out.push(RangeProblem {
                path: at("takeup_min_share"),
                message: format!("is larger than takeup_max_share ({})", self.takeup_max_share),
            });
        }
        for (key, value) in [
            ("skill_share", self.skill_share),
            ("start_probability", self.start_probability),
            ("governance_boost", self.governance_boost),
        ] {
            if let Some(v) = value {
                check_range(&at(key), v, 0.0, 1.0, out);
            }
        }
    }

    fn check_capacity(&self, at: &dyn Fn(&str) -> String, out: &mut Vec<RangeProblem>) {
        let given = (self.capacity_per_season.is_some(), self.coverage_share_per_season.is_some());
        match (self.targeting, given) {
            (Targeting::All, (false, false)) => {}
            (Targeting::All, _) => out.push(RangeProblem {
                path: at("targeting"),
                message: "is \"all\", which invites every household: remove capacity_per_season / coverage_share_per_season".into(),
            }),
            (_, (true, true)) => out.push(RangeProblem {
                path: at("capacity_per_season"),
                message: "give either capacity_per_season or coverage_share_per_season, not both".into(),
            }),
            (_, (false, false)) => out.push(RangeProblem {
                path: at("capacity_per_season"),
                message: "is missing: give capacity_per_season (households) or coverage_share_per_season".into(),
            }),
            _ => {}
        }
        if let Some(share) = self.coverage_share_per_season {
            check_range(&at("coverage_share_per_season"), share, 0.0, 1.0, out);
        }
        match self.targeting {
            Targeting::Villages if self.villages.is_empty() => out.push(RangeProblem {
                path: at("villages"),
                message: "is empty: targeting = \"villages\" needs the list of village indices".into(),
            }),
            Targeting::Villages => {}
            _ if !self.villages.is_empty() => out.push(RangeProblem {
                path: at("villages"),
                message: "is only used with targeting = \"villages\"".into(),
            }),
            _ => {}
        }
        match (self.targeting, self.group_size) {
            (Targeting::Groups, Some(0)) => out.push(RangeProblem {
                path: at("group_size"),
                message: "is 0; a group invites at least 1 household".into(),
            }),
            (Targeting::Groups, _) | (_, None) => {}
            (_, Some(_)) => out.push(RangeProblem {
                path: at("group_size"),
                message: "is only used with targeting = \"groups\"".into(),
            }),
        }
    }

    /// Every listed village (with `targeting = "villages"`) that a run of `villages`
    /// villages does not have; `path` is the intervention's key path in the file. The list
    /// names the run's villages, whose number scales with its households.
    pub(crate) fn check_villages(&self, path: &str, villages: u64, out: &mut Vec<RangeProblem>) {
        if self.targeting != Targeting::Villages {
            return;
        }
        let path = format!("{path}.villages");
        for &v in self.villages.iter().filter(|&&v| u64::from(v) >= villages) {
            let numbered = if villages == 1 {
                "only village 0".into()
            } else {
                format!("villages 0 to {}", villages - 1)
            };
            out.push(RangeProblem {
                path: path.clone(),
                message: format!(
                    "has village {v}, but at this size the run has {numbered} (population.villages \
                     scaled by households / population.reference_households)"
                ),
            });
        }
    }
}
