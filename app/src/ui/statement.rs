//! The accessibility statement: what was tested, how, and what is known
//! not to meet WCAG 2.1 AA yet.

use leptos::prelude::*;

use crate::i18n::statement::Statement;
use crate::i18n::t;

#[component]
pub fn StatementPage() -> impl IntoView {
    let list = |items: &[Statement]| items.iter().map(|item| view! { <li>{t(*item)}</li> }).collect_view();
    view! {
        <section class="panel statement">
            <h1>{t(Statement::Title)}</h1>
            <p>{t(Statement::Intro)}</p>
            <h2>{t(Statement::TestedHeading)}</h2>
            <ul>
                {list(&[
                    Statement::TestedAxe,
                    Statement::TestedKeyboard,
                    Statement::TestedReflow,
                    Statement::TestedAnnounced,
                    Statement::TestedTimeout,
                ])}
            </ul>
            <h2>{t(Statement::HowHeading)}</h2>
            <p>{t(Statement::How)}</p>
            <h2>{t(Statement::LimitsHeading)}</h2>
            <ul>
                {list(&[
                    Statement::LimitScreenReaders,
                    Statement::LimitCharts,
                    Statement::LimitSessionTimeout,
                    Statement::LimitTimes,
                    Statement::LimitServerWords,
                ])}
            </ul>
            <h2>{t(Statement::FeedbackHeading)}</h2>
            <p>{t(Statement::Feedback)}</p>
        </section>
    }
}
