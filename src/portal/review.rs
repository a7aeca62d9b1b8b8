//! The analysts' review of a return: approve it, send it back with a
//! reason, re-open an approved one, or open a closed year again for one
//! unit. Each decision is kept in an append-only table; a return's state
//! and whether the committee may upload are worked out from them.

use super::db::Upload;

/// An analyst's decision on a unit's return for a year.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Godkänd av Kommunstyrelsen: locked, the committee cannot replace it.
    Approved,
    /// Sent back to the committee, with a reason.
    Returned,
    /// An approved return opened again, with a reason.
    Reopened,
    /// Uploads opened again for one unit after the year closed.
    Opened,
}

const DECISIONS: [(Decision, &str); 4] = [
    (Decision::Approved, "approved"),
    (Decision::Returned, "returned"),
    (Decision::Reopened, "reopened"),
    (Decision::Opened, "opened"),
];

impl Decision {
    pub fn id(self) -> &'static str {
        DECISIONS.iter().find(|d| d.0 == self).map_or("", |d| d.1)
    }

    pub fn parse(id: &str) -> Option<Decision> {
        DECISIONS.iter().find(|d| d.1 == id).map(|d| d.0)
    }
}

/// One decision, as the table keeps it.
#[derive(Clone, Debug)]
pub struct Review {
    pub unit: String,
    pub year: i32,
    /// The upload approved or sent back; none for an opening.
    pub upload_id: Option<i64>,
    pub decision: Decision,
    pub reason: String,
    pub user_id: i64,
    pub at: String,
}

/// The last approval or send-back of `upload` that still stands: one
/// re-open ends an approval. `reviews` come newest first.
pub fn verdict<'a>(reviews: &'a [Review], upload: &Upload) -> Option<&'a Review> {
    let last = reviews.iter().find(|r| {
        matches!(
            r.decision,
            Decision::Approved | Decision::Returned | Decision::Reopened
        )
    })?;
    (last.decision != Decision::Reopened && last.upload_id == Some(upload.id)).then_some(last)
}

/// Whether the year's uploads were opened again for the unit after it closed.
pub fn opened(reviews: &[Review]) -> bool {
    reviews.iter().any(|r| r.decision == Decision::Opened)
}

/// The upload that was last approved (re-opened or not): what the inbox
/// holds when only approved returns are published.
pub fn last_approved(reviews: &[Review]) -> Option<i64> {
    reviews
        .iter()
        .find(|r| r.decision == Decision::Approved)
        .and_then(|r| r.upload_id)
}
