//! SEC-1, ADM-1, ACC-3, LOG-2, MAIL-4: who may act on whose account. A capability opens an
//! endpoint ("may manage people"); this table decides *whom* that endpoint may touch. It is
//! the one place that says so: the server functions ask [`may`], the people pages ask it to
//! hide what would be refused, the authorisation matrix derives its expected outcomes from it,
//! and `docs/security.md` prints it.
//!
//! The roles are not one ladder. The aim is that **no chain of actions gives anyone a right
//! their role was not given**: whoever can issue a person's credentials can sign in as that
//! person, so credentials, locks and role changes only ever go to accounts whose rights are a
//! subset of the caller's own sphere, and never to oneself.
use super::Role;

/// Something one person does to another person's account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Act {
    /// A new account of the target role (also the role a role change gives).
    Create,
    /// A start password, on a slip or from the people page (PW-2): whoever holds it can sign
    /// in as the person until they choose their own.
    IssueCredentials,
    /// VIOL-2: locking and unlocking.
    Lock,
    /// LIFE-1, LIFE-2: withdrawal, a leaving date, calling a deletion off.
    EndAccount,
    /// ACC-3: changing the role the target has now (the new role is checked with `Create`).
    ChangeRole,
    /// ADM-2: the directory row on the person's page (no content, ADM-1).
    View,
    /// VIOL-1: the parents' signed form came back; only pupils have parents' forms.
    ParentConsent,
    /// ACC-3: membership in a class or team. Nobody adds themself.
    AddMember,
    /// ACC-3: owner (class teacher) of a class or team: sees the group's folder and mail.
    MakeOwner,
    /// PAR-1, PAR-2: opening a pupil to a guardian (the code slip) and closing it again (a
    /// link removed). The target is the pupil whose data the link opens.
    LinkGuardian,
}

impl Act {
    pub const ALL: [Act; 10] = [
        Act::Create,
        Act::IssueCredentials,
        Act::Lock,
        Act::EndAccount,
        Act::ChangeRole,
        Act::View,
        Act::ParentConsent,
        Act::AddMember,
        Act::MakeOwner,
        Act::LinkGuardian,
    ];
}

/// One cell group of the table: `actor` may do `act` to accounts of the `targets` roles.
pub struct Grant {
    pub actor: Role,
    pub act: Act,
    pub targets: &'static [Role],
    /// Why, in one sentence; `docs/security.md` repeats it.
    pub why: &'static str,
}

use Role::{Admin, Guardian, Management, Pupil, Secretariat, Staff, Teacher};

/// The school roles an administrator locks and ends: everyone but management, administrators
/// and guardians. An administrator who could issue a colleague administrator's or management's
/// credentials could become them, and management opens inspection cases (MAIL-4).
const BELOW_ADMIN: &[Role] = &[Secretariat, Teacher, Staff, Pupil];
/// The roles an administrator creates and issues credentials to. Not the secretariat (PAR-1):
/// it links guardians to children, and whoever could become the secretariat could link an
/// account of their own to a child and read the child's absences (ADM-1). Like management, it
/// is set up by the operator.
const ADMIN_CREATES: &[Role] = &[Teacher, Staff, Pupil];
/// Everyone of a school but guardians, for reading the directory.
const EVERYONE: &[Role] = &[Admin, Management, Secretariat, Teacher, Staff, Pupil];
/// The secretariat's directory: everyone, guardians included (PAR-1: it keeps their links).
const EVERYONE_AND_GUARDIANS: &[Role] = &[
    Admin,
    Management,
    Secretariat,
    Teacher,
    Staff,
    Pupil,
    Guardian,
];
/// Who may be a group member: not administrators, who see no content (ADM-1).
const MEMBERS: &[Role] = &[Management, Secretariat, Teacher, Staff, Pupil];
/// Who may own a group: the pedagogic staff (a head teacher often teaches a class).
const OWNERS: &[Role] = &[Management, Teacher, Staff];

/// The rights table. Anything not granted here is refused.
pub const TABLE: &[Grant] = &[
    // The operator: each school's administrators and management, nothing inside a school.
    Grant {
        actor: Role::Operator,
        act: Act::Create,
        targets: &[Admin, Management, Secretariat],
        why: "The operator sets a school up: its first administrators, its management and its secretariat. No one inside a school can create any of them, so no insider can make themself one.",
    },
    Grant {
        actor: Role::Operator,
        act: Act::IssueCredentials,
        targets: &[Admin, Management, Secretariat],
        why: "A lost password of an administrator, management or the secretariat is reset by the operator, in person; inside the school nobody can, so nobody there can take those accounts over (the secretariat links guardians to children, PAR-1).",
    },
    // Administrators: staff and pupils, never management or other administrators.
    Grant {
        actor: Admin,
        act: Act::Create,
        targets: ADMIN_CREATES,
        why: "Administrators set up teachers, other staff and pupils; never an account with more rights than their own sphere, and not the secretariat, which links guardians to children.",
    },
    Grant {
        actor: Admin,
        act: Act::IssueCredentials,
        targets: ADMIN_CREATES,
        why: "Resets for everyone they create; the owner is told at the next sign-in who reset it and when.",
    },
    Grant {
        actor: Admin,
        act: Act::Lock,
        targets: BELOW_ADMIN,
        why: "VIOL-2 for the accounts they look after; locking management or a colleague administrator would let one insider silence the school's oversight.",
    },
    Grant {
        actor: Admin,
        act: Act::EndAccount,
        targets: BELOW_ADMIN,
        why: "Leaving dates and withdrawals for the accounts they look after.",
    },
    Grant {
        actor: Admin,
        act: Act::ChangeRole,
        targets: ADMIN_CREATES,
        why: "A role change within their sphere; the new role must also be one they may create, so nobody is promoted to administrator or management.",
    },
    Grant {
        actor: Admin,
        act: Act::View,
        targets: EVERYONE,
        why: "The directory row (name, role, class, status) of everyone in the school; no content (ADM-1).",
    },
    Grant {
        actor: Admin,
        act: Act::ParentConsent,
        targets: &[Pupil],
        why: "Only pupils have a parents' consent form (VIOL-1).",
    },
    Grant {
        actor: Admin,
        act: Act::AddMember,
        targets: MEMBERS,
        why: "Classes and teams; administrators themselves are never members, since members see the group's content.",
    },
    Grant {
        actor: Admin,
        act: Act::MakeOwner,
        targets: OWNERS,
        why: "Class teachers; the owners see every membership change, and the new owner is told who made them owner.",
    },
    // School management: oversight, not administration.
    Grant {
        actor: Management,
        act: Act::Lock,
        targets: &[Admin, Secretariat, Teacher, Staff, Pupil, Guardian],
        why: "Management may stop any account of the school at once, an administrator's included, but issues no credentials, so a lock never becomes a takeover.",
    },
    // The secretariat: pupils and their guardians only.
    Grant {
        actor: Secretariat,
        act: Act::Create,
        targets: &[Pupil],
        why: "The secretariat enrols pupils; staff accounts come from administrators.",
    },
    Grant {
        actor: Secretariat,
        act: Act::IssueCredentials,
        targets: &[Pupil, Guardian],
        why: "Start-password slips for pupils and for guardians who forgot their password, in person (PW-2, PAR-2).",
    },
    Grant {
        actor: Secretariat,
        act: Act::Lock,
        targets: &[Pupil, Guardian],
        why: "VIOL-2 for pupils and guardians.",
    },
    Grant {
        actor: Secretariat,
        act: Act::EndAccount,
        targets: &[Pupil],
        why: "LIFE-1 and LIFE-2: the parents' notice and the leaving date arrive at the secretariat.",
    },
    Grant {
        actor: Secretariat,
        act: Act::View,
        targets: EVERYONE_AND_GUARDIANS,
        why: "The directory row of everyone in the school, to answer the phone; no content (ADM-1).",
    },
    Grant {
        actor: Secretariat,
        act: Act::ParentConsent,
        targets: &[Pupil],
        why: "The signed forms come back to the secretariat (VIOL-1).",
    },
    Grant {
        actor: Secretariat,
        act: Act::AddMember,
        targets: MEMBERS,
        why: "The secretariat keeps the class lists; it cannot sign in as anyone it adds except pupils, who own nothing.",
    },
    Grant {
        actor: Secretariat,
        act: Act::MakeOwner,
        targets: OWNERS,
        why: "The secretariat records who teaches which class; it cannot sign in as a teacher.",
    },
    Grant {
        actor: Secretariat,
        act: Act::LinkGuardian,
        targets: &[Pupil],
        why: "Code slips for a pupil's guardians and removing a guardian's link (custody, a court order) arrive at the secretariat (PAR-1, PAR-2); administrators cannot, so none can link an account of their own to a child.",
    },
];

/// Whether `actor` may do `act` to an account whose role is `target`. Never to oneself: the
/// caller checks that separately with [`may_on`].
pub fn may(actor: Role, act: Act, target: Role) -> bool {
    TABLE
        .iter()
        .any(|g| g.actor == actor && g.act == act && g.targets.contains(&target))
}

/// [`may`] for a concrete pair of people: nobody acts on their own account through these
/// endpoints (their own password has its own page).
pub fn may_on(actor: Role, actor_id: i64, act: Act, target: Role, target_id: i64) -> bool {
    actor_id != target_id && may(actor, act, target)
}

/// A role change from `from` to `to`: the caller must be allowed to change the present role
/// and to create the new one.
pub fn may_change_role(actor: Role, from: Role, to: Role) -> bool {
    may(actor, Act::ChangeRole, from) && may(actor, Act::Create, to)
}

/// The roles `actor` may do `act` to, in the order of [`Role::ALL`]; the people pages offer
/// only these.
pub fn targets(actor: Role, act: Act) -> Vec<Role> {
    Role::ALL
        .into_iter()
        .filter(|&t| may(actor, act, t))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // SEC-1: no role can create or credential a role that could do more than it can itself
    // inside the school: whoever issues credentials may become the target, so the target's
    // capabilities and grants must all be the caller's own already.
    #[test]
    fn sec_1_no_escalation_through_credentials() {
        for actor in Role::ALL {
            if actor == Role::Operator {
                continue; // sets schools up; holds nothing inside one
            }
            for target in Role::ALL {
                if !(may(actor, Act::IssueCredentials, target) || may(actor, Act::Create, target)) {
                    continue;
                }
                for cap in target.capabilities() {
                    let links_itself =
                        cap.through_links() && !targets(actor, Act::LinkGuardian).is_empty();
                    assert!(
                        actor.capabilities().contains(cap) || links_itself,
                        "{actor:?} could become {target:?} and gain {cap:?}"
                    );
                }
                for grant in TABLE.iter().filter(|g| g.actor == target) {
                    for &t in grant.targets {
                        assert!(
                            may(actor, grant.act, t),
                            "{actor:?} could become {target:?} and gain {:?} on {t:?}",
                            grant.act
                        );
                    }
                }
            }
        }
    }

    // SEC-1, MAIL-4: management, which opens inspection cases, is reached only by the operator.
    #[test]
    fn sec_1_management_only_through_the_operator() {
        for actor in Role::ALL {
            let reaches = may(actor, Act::Create, Role::Management)
                || may(actor, Act::IssueCredentials, Role::Management)
                || Role::ALL
                    .into_iter()
                    .any(|from| may_change_role(actor, from, Role::Management));
            assert_eq!(reaches, actor == Role::Operator, "{actor:?}");
        }
        assert!(!may(Role::Admin, Act::Create, Role::Admin));
        assert!(!may(
            Role::Secretariat,
            Act::IssueCredentials,
            Role::Teacher
        ));
        assert!(may(Role::Management, Act::Lock, Role::Admin));
        assert!(!may(Role::Management, Act::IssueCredentials, Role::Admin));
    }

    // PAR-1, ADM-1: only the secretariat links guardians to children, and nobody who could
    // become the secretariat or a guardian is inside the school but the secretariat itself: an
    // administrator can neither link nor take over a guardian or the secretariat.
    #[test]
    fn par_1_only_the_secretariat_reaches_guardians_and_links() {
        for actor in Role::ALL {
            let links = Role::ALL
                .into_iter()
                .any(|t| may(actor, Act::LinkGuardian, t));
            assert_eq!(links, actor == Role::Secretariat, "{actor:?}");
            let becomes_guardian = may(actor, Act::Create, Role::Guardian)
                || may(actor, Act::IssueCredentials, Role::Guardian);
            assert_eq!(becomes_guardian, actor == Role::Secretariat, "{actor:?}");
            let becomes_office = may(actor, Act::Create, Role::Secretariat)
                || may(actor, Act::IssueCredentials, Role::Secretariat)
                || Role::ALL
                    .into_iter()
                    .any(|from| may_change_role(actor, from, Role::Secretariat));
            assert_eq!(becomes_office, actor == Role::Operator, "{actor:?}");
        }
        // A guardian acts on nobody.
        for act in Act::ALL {
            assert!(targets(Role::Guardian, act).is_empty(), "{act:?}");
        }
        assert!(!may(Role::Admin, Act::View, Role::Guardian));
    }

    #[test]
    fn sec_1_nobody_acts_on_themself() {
        for actor in Role::ALL {
            for act in Act::ALL {
                assert!(!may_on(actor, 7, act, actor, 7));
            }
        }
    }
}
