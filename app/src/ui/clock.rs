//! The page's clock and the relative times that tick with it.

use std::time::Duration;

use chrono::{DateTime, Utc};
use leptos::prelude::*;

use crate::format;

/// How often relative times ("3 min ago") are recomputed.
pub(super) const CLOCK_TICK: Duration = Duration::from_secs(10);

/// Now, ticking, so relative times stay true without reloading.
#[derive(Clone, Copy)]
pub(crate) struct Clock(pub RwSignal<DateTime<Utc>>);

impl Clock {
    pub fn now() -> DateTime<Utc> {
        expect_context::<Clock>().0.get()
    }
}

/// A time as "3 min ago", with the exact time on hover; "never" for `None`.
#[component]
pub(crate) fn RelativeTime(#[prop(into)] at: Signal<Option<DateTime<Utc>>>) -> impl IntoView {
    view! {
        <time
            datetime=move || at.get().map(format::machine_time)
            title=move || at.get().map(format::exact)
        >
            {move || format::last_used(at.get(), Clock::now())}
        </time>
    }
}
