//! The four DW4FS intervention modules and how the programme reaches households.
//!
//! An intervention is one `[[intervention]]` table of a scenario: a module `kind`, an `id`,
//! a schedule, a targeting rule, a capacity, a unit cost and the module's own effect
//! parameters. The set of kinds is closed (`Kind`) and matched exhaustively.
//!
//! Delivery runs before the household phase, one intervention after another
//! in file order. It reads the households' committed state (for targeting and readiness)
//! and writes only the season's *offers* (which modules each household takes part in),
//! the training levels, and, for the cooperative module, the village cooperatives. It
//! never writes household state: the household update applies the training.
//!
//! * capacity × government readiness = invitations this season (the share of planned
//!   training actually delivered);
//! * an invited household takes part with a probability rising linearly with its readiness
//!   from `takeup_min_share` to `takeup_max_share`;
//! * a household takes part in a given intervention at most once.

mod draws;
mod spec;

pub use spec::Intervention;
pub use spec::Targeting;
pub(crate) use spec::{KEYS, KeyType, Kind, Location};

use crate::cpu::Cpu;
use crate::model::households::Households;
use crate::model::season::ProgrammeLevels;
use crate::model::village::Villages;
use crate::params::Params;
use rand::Rng;

use crate::rng::{Purpose, RunKey, id_hash, unit};

/// What delivering one intervention in one season did.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Delivered {
    /// Cost booked, rupiah.
    pub cost_idr: f64,
    /// Ids of the households that took part, ascending; the caller enrols them
    /// (`Households::enrol`).
    pub enrolled: Vec<u32>,
    /// Who could be invited and who was, where invitations were drawn by lottery and the
    /// run follows households ([`DeliveryCtx::follow`]).
    pub lottery: Option<Lottery>,
}

/// A season's lottery of one intervention: the households that could be invited and those
/// invited, ids ascending — the two arms of the randomised trial a study of the programme
/// would run.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Lottery {
    /// Eligible households.
    pub eligible: Vec<u32>,
    /// Invited households (a subset of `eligible`).
    pub invited: Vec<u32>,
}

impl Delivered {
    /// Households that took part.
    pub fn participants(&self) -> u64 {
        self.enrolled.len() as u64
    }
}

/// Inputs of delivery that do not change within a season.
pub(crate) struct DeliveryCtx<'a> {
    /// Scenario parameters.
    pub params: &'a Params,
    /// Seed and replication.
    pub run: RunKey,
    /// The code path the lotteries are drawn on.
    pub cpu: Cpu,
    /// Season index.
    pub season: u32,
    /// Households' committed state.
    pub households: &'a Households,
    /// Keep each lottery's eligible and invited households ([`Delivered::lottery`]).
    pub follow: bool,
}

/// Deliver every intervention of a scenario this season, in file order: element `i` of
/// the result is what intervention `i` delivered. Households' eligibility for all of them
/// is read in one pass over the rows (delivering one intervention never changes who may
/// take part in another); the result is that of delivering each in turn.
pub(crate) fn deliver_all(
    interventions: &[Intervention],
    ctx: &DeliveryCtx,
    villages: &mut Villages,
    levels: &mut ProgrammeLevels,
) -> Vec<Delivered> {
    let active: Vec<(usize, &Intervention)> =
        interventions.iter().enumerate().filter(|(_, iv)| iv.is_active(ctx.season)).collect();
    let mut eligible = eligible(&active, ctx.households).into_iter();
    let mut delivered = vec![Delivered::default(); interventions.len()];
    for &(index, iv) in &active {
        let ids = eligible.next().expect("one list per active intervention");
        delivered[index] = deliver_to(iv, ctx, ids, villages, levels);
    }
    delivered
}

/// Deliver `iv`, the scenario's intervention `index`, this season: choose, invite, and
/// return who takes part; raises `levels`, and may form or strengthen cooperatives in
/// `villages`.
#[cfg(test)]
pub(crate) fn deliver(
    iv: &Intervention,
    index: usize,
    ctx: &DeliveryCtx,
    villages: &mut Villages,
    levels: &mut ProgrammeLevels,
) -> Delivered {
    if !iv.is_active(ctx.season) {
        return Delivered::default();
    }
    let ids = eligible(&[(index, iv)], ctx.households).pop().expect("one list for one intervention");
    deliver_to(iv, ctx, ids, villages, levels)
}

/// Deliver `iv` to the households whose ids (ascending) are `eligible`.
fn deliver_to(
    iv: &Intervention,
    ctx: &DeliveryCtx,
    eligible: Vec<u32>,
    villages: &mut Villages,
    levels: &mut ProgrammeLevels,
) -> Delivered {
    let hash = id_hash(&iv.id);
    let by_lottery = matches!(iv.targeting, Targeting::Random | Targeting::Villages);
    let kept = (ctx.follow && by_lottery).then(|| eligible.clone());
    let invited = invite(iv, ctx, hash, eligible);
    let lottery = kept.map(|eligible| Lottery { eligible, invited: invited.clone() });
    let readiness = &villages.readiness;
    let enrolled = draws::select(ctx, hash, &invited, |id, block| {
        let h = ctx.households.get(id as usize);
        let readiness = f64::from(readiness[usize::from(h.village)] + h.readiness_offset).clamp(0.0, 1.0);
        unit(block[1]) < iv.takeup_min_share + (iv.takeup_max_share - iv.takeup_min_share) * readiness
    });
    let participants = enrolled.len() as u64;
    if participants > 0 {
        raise_levels(iv, levels);
    }
    if iv.kind == Kind::Cooperative {
        organise_cooperatives(iv, ctx, &enrolled, villages);
    }
    Delivered { cost_idr: participants as f64 * iv.cost_idr_per_participant(), enrolled, lottery }
}

/// The cooperative module's support of the villages of its `enrolled` households: where a
/// cooperative works, its governance gains the intervention's boost × government
/// readiness; where none works, the programme organises one only from a group, when at
/// least `cooperative.min_group_households` of the village take part this season.
fn organise_cooperatives(iv: &Intervention, ctx: &DeliveryCtx, enrolled: &[u32], villages: &mut Villages) {
    let mut taking_part = vec![0u64; villages.len()];
    for &id in enrolled {
        taking_part[usize::from(ctx.households.village(id as usize))] += 1;
    }
    let c = &ctx.params.cooperative;
    let boost = iv.governance_boost() * ctx.params.government.readiness;
    for (v, &n) in taking_part.iter().enumerate() {
        let group = n >= u64::from(c.min_group_households);
        if n > 0 && (villages.coop_exists[v] || group) {
            villages.support_cooperative(v, c.initial_governance, boost);
        }
    }
}

/// Entity of the lottery stream of an intervention (not a household id: ids are below it).
const LOTTERY: u32 = u32::MAX;

/// Entity of the draw that rounds a season's number of groups (below every
/// [`group_lottery`] entity).
const GROUP_COUNT: u32 = LOTTERY - 1 - 65_536;

/// Entity of the household lottery of village `v` in a group draw (below [`LOTTERY`], above
/// every household id: a run holds at most 4 × 10^9 households).
fn group_lottery(v: u16) -> u32 {
    LOTTERY - 1 - u32::from(v)
}

/// Households invited this season among the `eligible` ones, in ascending id order.
fn invite(iv: &Intervention, ctx: &DeliveryCtx, hash: u64, ids: Vec<u32>) -> Vec<u32> {
    let g = ctx.params.government.readiness;
    if iv.targeting == Targeting::All {
        return draws::select(ctx, hash, &ids, |_, block| unit(block[0]) < g);
    }
    let capacity = iv.capacity(&ctx.params.population);
    let slots = (capacity * g).round() as usize;
    let mut invited = match iv.targeting {
        Targeting::PoorestFirst => poorest(ids.into_iter(), slots, ctx.households),
        Targeting::Groups => groups(ids, slots, iv.group_size(), ctx, hash),
        _ => lottery(ids, slots, ctx, hash, LOTTERY),
    };
    invited.sort_unstable();
    invited
}

/// For each `(index, intervention)` of `interventions`, the ids of the households that may
/// be invited to it, ascending: not yet enrolled in it, enrolled in the intervention it
/// `follows` (in an earlier season: enrolments are recorded after delivery) and, for
/// `targeting = "villages"`, living in a listed village. One pass over the rows for all of them: at province scale
/// the scan is bound by reading the rows from memory.
fn eligible(interventions: &[(usize, &Intervention)], households: &Households) -> Vec<Vec<u32>> {
    let tests: Vec<Eligibility> =
        interventions.iter().map(|&(index, iv)| Eligibility::new(index, iv)).collect();
    let mut lists: Vec<Vec<u32>> = tests.iter().map(|_| vec![0; households.len()]).collect();
    let mut lens = vec![0; tests.len()];
    for id in 0..households.len() {
        let (enrolled, village) = (households.enrolled(id), households.village(id));
        let coastal = households.coastal(id);
        for ((test, ids), len) in tests.iter().zip(&mut lists).zip(&mut lens) {
            // Written without a branch: whether a household may take part varies from one
            // to the next.
            ids[*len] = id as u32;
            *len += usize::from(test.admits(enrolled, village, coastal));
        }
    }
    for (ids, len) in lists.iter_mut().zip(lens) {
        ids.truncate(len);
    }
    lists
}

/// Who may be invited to one intervention: the enrolment bit to test and, for
/// `targeting = "villages"`, the villages listed.
struct Eligibility {
    bit: u32,
    /// The enrolment bit of the intervention whose participants alone may be invited (0:
    /// everyone may).
    follows: u32,
    /// The households' coastal flag must equal this (`None`: any location).
    coastal: Option<bool>,
    /// By village index: listed (all true without a village list).
    listed: Vec<bool>,
}

impl Eligibility {
    fn new(index: usize, iv: &Intervention) -> Self {
        let all = iv.targeting != Targeting::Villages;
        let mut listed = vec![all; usize::from(u16::MAX) + 1];
        if !all {
            for &v in &iv.villages {
                if let Some(flag) = listed.get_mut(v as usize) {
                    *flag = true;
                }
            }
        }
        let follows = iv.follows_index.map_or(0, |i| 1 << i);
        let coastal = iv.location.map(|l| l == Location::Coastal);
        Self { bit: 1 << index, follows, coastal, listed }
    }

    #[inline]
    fn admits(&self, enrolled: u32, village: u16, coastal: bool) -> bool {
        let followed = (self.follows == 0) | (enrolled & self.follows != 0);
        let placed = self.coastal.is_none_or(|c| c == coastal);
        (enrolled & self.bit == 0) & followed & placed & self.listed[usize::from(village)]
    }
}

/// The `slots` eligible households with the lowest expected income per person (ties by id).
fn poorest(ids: impl Iterator<Item = u32>, slots: usize, households: &Households) -> Vec<u32> {
    let mut scored: Vec<(f32, u32)> = ids
        .map(|id| {
            let (income, members) = households.expected_income_and_members(id as usize);
            (income / f32::from(members), id)
        })
        .collect();
    if scored.len() > slots {
        let by_score = |a: &(f32, u32), b: &(f32, u32)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
        if slots > 0 {
            scored.select_nth_unstable_by(slots - 1, by_score);
        }
        scored.truncate(slots);
    }
    scored.into_iter().map(|(_, id)| id).collect()
}

/// Groups of `size` among the eligible households `ids` (ascending), about `slots`
/// invitations in all: slots / size groups, the fraction rounded up with that probability,
/// each in a village
/// drawn by lottery among the villages with eligible households, its members drawn by a
/// lottery of the village's own.
fn groups(ids: Vec<u32>, slots: usize, size: u64, ctx: &DeliveryCtx, hash: u64) -> Vec<u32> {
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    // slots / size groups, the fraction rounded up with that probability: the expected
    // invitations are the slots at every run size.
    let groups = slots as f64 / size as f64;
    let mut stream = ctx.run.stream(ctx.season, Purpose::Intervention(hash), GROUP_COUNT);
    let count = groups.floor() as usize + usize::from(unit(stream.next_u32()) < groups.fract());
    // Villages are contiguous ranges of ids: the eligible households of each, in order.
    let mut by_village: Vec<(u16, Vec<u32>)> = Vec::new();
    for id in ids {
        let v = ctx.households.village(id as usize);
        match by_village.last_mut() {
            Some((last, members)) if *last == v => members.push(id),
            _ => by_village.push((v, vec![id])),
        }
    }
    let places: Vec<u32> = (0..by_village.len() as u32).collect();
    let mut invited = Vec::new();
    for place in lottery(places, count, ctx, hash, LOTTERY) {
        let (v, members) = std::mem::take(&mut by_village[place as usize]);
        invited.extend(lottery(members, size, ctx, hash, group_lottery(v)));
    }
    invited
}

/// A lottery: `slots` of the eligible households drawn without replacement (a partial
/// Fisher–Yates shuffle driven by the intervention's own stream for the season, entity
/// `entity`), so its cost grows with the places, not with the population.
fn lottery(mut ids: Vec<u32>, slots: usize, ctx: &DeliveryCtx, hash: u64, entity: u32) -> Vec<u32> {
    if ids.len() <= slots {
        return ids;
    }
    let mut stream = ctx.run.stream(ctx.season, Purpose::Intervention(hash), entity);
    for i in 0..slots {
        let remaining = (ids.len() - i) as u64;
        // Multiply-shift maps a 32-bit word onto 0..remaining (bias below remaining / 2^32).
        let j = i + ((u64::from(stream.next_u32()) * remaining) >> 32) as usize;
        ids.swap(i, j);
    }
    ids.truncate(slots);
    ids
}

/// Raise the season's levels of `iv`'s module to what `iv` confers. The levels are per
/// module, not per intervention: with two interventions of one kind in a season, every
/// participant of either gets the larger skill share (and start probability) of the two,
/// as MODEL.md states.
fn raise_levels(iv: &Intervention, levels: &mut ProgrammeLevels) {
    let skill = iv.skill_share() as f32;
    match iv.kind {
        Kind::ProductionTraining => levels.production_skill = levels.production_skill.max(skill),
        Kind::Cooperative => {}
        Kind::Entrepreneurship => {
            levels.business_skill = levels.business_skill.max(skill);
            levels.start_probability = levels.start_probability.max(iv.start_probability() as f32);
        }
        Kind::FinancialManagement => levels.finance_skill = levels.finance_skill.max(skill),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::population;

    fn world(households: u64) -> (Params, Households, Villages) {
        let mut params = Params::default();
        params.population.households = households;
        params.population.reference_households = households;
        params.population.villages = 10;
        let run = RunKey { seed: 4, replication: 0 };
        let villages = population::villages(&params, run);
        let noise = crate::model::season::Noise::new(&params);
        let hh = population::households(&params, &noise, run, &villages, Cpu::best());
        (params, hh, villages)
    }

    fn context<'a>(params: &'a Params, hh: &'a Households, season: u32) -> DeliveryCtx<'a> {
        DeliveryCtx {
            params,
            run: RunKey { seed: 4, replication: 0 },
            cpu: Cpu::best(),
            season,
            households: hh,
            follow: false,
        }
    }

    fn intervention(kind: Kind, targeting: Targeting, capacity: u64) -> Intervention {
        let mut iv = Intervention {
            id: "test".into(),
            kind,
            start_season: 0,
            end_season: 3,
            targeting,
            villages: if targeting == Targeting::Villages { vec![2, 3] } else { vec![] },
            capacity_per_season: (targeting != Targeting::All).then_some(capacity),
            coverage_share_per_season: None,
            group_size: None,
            location: None,
            follows: None,
            follows_index: None,
            cost_idr_per_participant: Some(1_000.0),
            takeup_min_share: 0.3,
            takeup_max_share: 0.9,
            skill_share: None,
            start_probability: None,
            governance_boost: None,
        };
        iv.fill_defaults();
        iv
    }

    /// Invitations to intervention 0 among all households eligible for it.
    fn invite_all_eligible(iv: &Intervention, ctx: &DeliveryCtx, hash: u64) -> Vec<u32> {
        let eligible = eligible(&[(0, iv)], ctx.households).pop().unwrap();
        invite(iv, ctx, hash, eligible)
    }

    fn deliver_once(
        iv: &Intervention,
        season: u32,
        households: u64,
    ) -> (Delivered, Vec<u8>, Villages, Households) {
        let (params, mut hh, mut villages) = world(households);
        let ctx = context(&params, &hh, season);
        let mut levels = ProgrammeLevels::default();
        let d = deliver(iv, 0, &ctx, &mut villages, &mut levels);
        for &id in &d.enrolled {
            hh.enrol(id as usize, 0, iv.kind.module_bit());
        }
        let offers = hh.iter().map(|h| h.offers).collect();
        (d, offers, villages, hh)
    }

    #[test]
    fn invitations_are_capacity_times_government_readiness_and_cost_is_per_participant() {
        for targeting in [Targeting::Random, Targeting::PoorestFirst, Targeting::Villages] {
            let iv = intervention(Kind::ProductionTraining, targeting, 500);
            let (params, hh, _) = world(5_000);
            let ctx = context(&params, &hh, 1);
            let invited = invite_all_eligible(&iv, &ctx, id_hash(&iv.id));
            assert_eq!(invited.len(), 300, "{targeting:?}: 500 × readiness 0.6");
            assert!(invited.windows(2).all(|w| w[0] < w[1]), "sorted and distinct");
            let (d, offers, _, hh) = deliver_once(&iv, 1, 5_000);
            let participants = offers.iter().filter(|&&o| o != 0).count() as u64;
            assert_eq!(d.participants(), participants);
            assert_eq!(d.cost_idr, participants as f64 * 1_000.0);
            assert!(participants > 90 && participants < 300, "take-up between 0.3 and 0.9: {participants}");
            if targeting == Targeting::Villages {
                assert!(offers.iter().zip(hh.iter()).all(|(&o, h)| o == 0 || [2, 3].contains(&h.village)));
            }
        }
    }

    #[test]
    fn delivering_all_at_once_equals_delivering_one_after_another() {
        let ivs: Vec<Intervention> = [
            (Kind::ProductionTraining, Targeting::Random),
            (Kind::Cooperative, Targeting::Villages),
            (Kind::Entrepreneurship, Targeting::All),
            (Kind::FinancialManagement, Targeting::PoorestFirst),
        ]
        .into_iter()
        .enumerate()
        .map(|(i, (kind, targeting))| Intervention {
            id: format!("iv{i}"),
            ..intervention(kind, targeting, 400)
        })
        .collect();
        let (params, mut hh, villages) = world(4_000);
        // Some households already took part in some interventions.
        for id in (0..hh.len()).filter(|id| id % 7 == 0) {
            hh.enrol(id, id % 4, 0);
        }
        let ctx = context(&params, &hh, 1);
        let (mut one_by_one, mut levels_one) = (villages.clone(), ProgrammeLevels::default());
        let expected: Vec<Delivered> = ivs
            .iter()
            .enumerate()
            .map(|(index, iv)| deliver(iv, index, &ctx, &mut one_by_one, &mut levels_one))
            .collect();
        let (mut at_once, mut levels_all) = (villages, ProgrammeLevels::default());
        let delivered = deliver_all(&ivs, &ctx, &mut at_once, &mut levels_all);
        assert!(expected.iter().all(|d| d.participants() > 0));
        assert_eq!(delivered, expected);
        assert_eq!((at_once, levels_all), (one_by_one, levels_one));
    }

    #[test]
    fn poorest_first_invites_the_lowest_expected_income_per_person() {
        let iv = intervention(Kind::FinancialManagement, Targeting::PoorestFirst, 100);
        let (params, hh, _) = world(2_000);
        let ctx = context(&params, &hh, 0);
        let invited = invite_all_eligible(&iv, &ctx, 7);
        let per_person = |id: usize| hh.get(id).expected_income_idr_month / f32::from(hh.get(id).members);
        let worst_invited = invited.iter().map(|&i| per_person(i as usize)).fold(f32::MIN, f32::max);
        let uninvited_below = (0..hh.len())
            .filter(|i| !invited.contains(&(*i as u32)) && per_person(*i) < worst_invited)
            .count();
        assert_eq!(uninvited_below, 0);
    }

    #[test]
    fn zero_capacity_and_inactive_seasons_deliver_nothing() {
        let idle = intervention(Kind::Cooperative, Targeting::Random, 0);
        let (d, offers, villages, _) = deliver_once(&idle, 1, 3_000);
        assert_eq!(d, Delivered::default());
        assert!(offers.iter().all(|&o| o == 0));
        assert_eq!(villages, world(3_000).2);
        let later = intervention(Kind::Cooperative, Targeting::Random, 500);
        assert_eq!(deliver_once(&later, 9, 3_000).0, Delivered::default());
    }

    #[test]
    fn the_cooperative_module_forms_cooperatives_where_it_enrols() {
        let iv = intervention(Kind::Cooperative, Targeting::Random, 1_000);
        let (d, offers, villages, hh) = deliver_once(&iv, 0, 3_000);
        assert!(d.participants() > 0);
        for (o, h) in offers.iter().zip(hh.iter()) {
            if *o != 0 {
                assert!(villages.coop_exists[usize::from(h.village)]);
                assert!(villages.governance[usize::from(h.village)] > 0.0);
            }
        }
    }

    #[test]
    fn a_household_takes_part_in_an_intervention_once() {
        let iv = intervention(Kind::Entrepreneurship, Targeting::All, 0);
        let (params, mut hh, mut villages) = world(2_000);
        let mut seen = vec![0u32; hh.len()];
        for season in 0..4 {
            let ctx = context(&params, &hh, season);
            let d = deliver(&iv, 3, &ctx, &mut villages, &mut ProgrammeLevels::default());
            for &id in &d.enrolled {
                seen[id as usize] += 1;
                hh.enrol(id as usize, 3, iv.kind.module_bit());
            }
        }
        assert!(seen.iter().all(|&n| n <= 1));
        assert!(seen.iter().filter(|&&n| n == 1).count() > 1_000);
    }

    #[test]
    fn a_follower_invites_only_earlier_participants_and_groups_fill_few_villages() {
        let groups =
            Intervention { group_size: Some(25), ..intervention(Kind::Cooperative, Targeting::Groups, 400) };
        let (params, mut hh, mut villages) = world(10_000);
        let ctx = context(&params, &hh, 0);
        let d = deliver(&groups, 0, &ctx, &mut villages, &mut ProgrammeLevels::default());
        let mut per_village = vec![0; villages.len()];
        for &id in &d.enrolled {
            per_village[usize::from(hh.village(id as usize))] += 1;
            hh.enrol(id as usize, 0, groups.kind.module_bit());
        }
        let reached = per_village.iter().filter(|&&n| n > 0).count();
        assert!((1..=12).contains(&reached), "{reached} villages for {} participants", d.enrolled.len());
        let follower = Intervention {
            id: "training".into(),
            follows: Some("test".into()),
            follows_index: Some(0),
            ..intervention(Kind::ProductionTraining, Targeting::All, 0)
        };
        let ctx = context(&params, &hh, 1);
        let e = deliver(&follower, 1, &ctx, &mut villages, &mut ProgrammeLevels::default());
        assert!(!e.enrolled.is_empty());
        assert!(e.enrolled.iter().all(|id| d.enrolled.contains(id)), "only the groups' members");
    }

    #[test]
    fn an_intervention_by_place_invites_only_households_of_that_place() {
        let (params, hh, mut villages) = world(5_000);
        for (location, coastal) in [(Location::Coastal, true), (Location::Inland, false)] {
            let iv = Intervention {
                location: Some(location),
                ..intervention(Kind::FinancialManagement, Targeting::Random, 600)
            };
            let ctx = context(&params, &hh, 0);
            let d = deliver(&iv, 0, &ctx, &mut villages, &mut ProgrammeLevels::default());
            assert!(d.enrolled.len() > 100, "{location:?}: {}", d.enrolled.len());
            assert!(d.enrolled.iter().all(|&id| hh.coastal(id as usize) == coastal), "{location:?}");
        }
    }
}
