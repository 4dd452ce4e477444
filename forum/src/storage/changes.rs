//! The change log: every committed change gets a number in commit order, on both databases,
//! so that a reader paging by "after N" never skips and never repeats one.
//!
//! Numbers are drawn inside the write transaction (`INSERT INTO changes … RETURNING seq`),
//! and every write transaction of an instance runs in the one writer of its process
//! (`writer.rs`), which holds the database's write lock from its group's first statement to
//! its commit: SQLite's own (`BEGIN IMMEDIATE`), and on PostgreSQL a transaction-level
//! advisory lock taken first in every group, so writers of several processes take turns too.
//! A number drawn later therefore always commits later, and a reader that has seen N will
//! only ever see numbers above N appear. A stored event's key is the number of the change
//! that stored it, so `GET /api/events?since=<key>` reads the log's event entries.

/// What a change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    /// An event was stored; its key is the change's number.
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
