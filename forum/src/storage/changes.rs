//! The change log: every committed change gets a number in commit order, on both databases,
//! so that a reader paging by "after N" never skips and never repeats one.
//!
//! A change is numbered under the database's one write lock, above the newest number: on
//! SQLite as it is recorded, since `seq` is the rowid and the writer's group holds the
//! file's lock from `BEGIN IMMEDIATE` to its commit (rows are inserted in commit order), so a
//! write is answered once numbered; on PostgreSQL a write records its change without a number
//! in its own transaction, and the committed changes are numbered in the order recorded right after
//! the writes' commit, by a background task's short transaction that takes a
//! transaction-level advisory lock ([`super::WRITE_LOCK_ID`]) in every process, so a change
//! appears in the log within moments of its commit (a run gathers the commits of 20 ms). Either way a number handed out later
//! always becomes visible later, and a reader that has seen N only ever sees numbers above N
//! appear.
//!
//! Events keep their row keys (`db.key`, insertion order, what feeds sort by). A read
//! forward from an event (`GET /api/events?since=<key>`) follows the log: the events whose
//! changes come after that event's, in commit order.

/// What a change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    /// An event was stored (the subject is its spasmid). Recorded by the migrations'
    /// `events_change` trigger, under this name.
    EventStored,
    /// A moderator deleted events (the subject is the moderation's spasmid).
    Deleted,
    /// An admin undid deletes (the subject is the restore's spasmid).
    Restored,
    /// A Nostr profile was saved (the subject is its key, hex).
    ProfileSaved,
    /// An admin-signed event was stored, such as new settings (the subject is its spasmid).
    AdminEventStored,
}

impl ChangeKind {
    const ALL: [Self; 5] = [
        Self::EventStored,
        Self::Deleted,
        Self::Restored,
        Self::ProfileSaved,
        Self::AdminEventStored,
    ];

    /// The name kept in the `changes` table.
    pub fn name(self) -> &'static str {
        match self {
            Self::EventStored => "event",
            Self::Deleted => "delete",
            Self::Restored => "restore",
            Self::ProfileSaved => "profile",
            Self::AdminEventStored => "admin-event",
        }
    }

    /// The kind of a stored name.
    pub fn of(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

/// One entry of the change log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Its number: commit order, without gaps a reader could fall into.
    pub seq: i64,
    /// What happened.
    pub kind: ChangeKind,
    /// What it happened to (a spasmid or a key), as [`ChangeKind`] says.
    pub subject: String,
    /// When (ms since the Unix epoch).
    pub at_ms: i64,
}

#[cfg(test)]
mod tests {
    use super::ChangeKind;

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in ChangeKind::ALL {
            assert_eq!(ChangeKind::of(kind.name()), Some(kind));
        }
        assert_eq!(ChangeKind::of("other"), None);
    }
}
