//! The entry form: store picker, validation, sending, duplicates, refusals.

use super::*;

#[test]
fn store_picker_matches_case_and_accent_insensitively_best_first() {
    let mut m = model();
    m.set_store_query("avi".into());
    let names: Vec<_> = m
        .store_suggestions()
        .iter()
        .map(|s| s.name.clone())
        .collect();
    assert_eq!(names, ["Ávila"]);

    m.set_store_query("CEN".into());
    let names: Vec<_> = m
        .store_suggestions()
        .iter()
        .map(|s| s.name.clone())
        .collect();
    assert_eq!(names, ["Centro", "Centro Comercial"]);

    // Substring and word-prefix matches come after prefix matches.
    m.set_store_query("com".into());
    let names: Vec<_> = m
        .store_suggestions()
        .iter()
        .map(|s| s.name.clone())
        .collect();
    assert_eq!(names, ["Centro Comercial"]);
    m.set_store_query("r".into());
    let names: Vec<_> = m
        .store_suggestions()
        .iter()
        .map(|s| s.name.clone())
        .collect();
    assert_eq!(names, ["Centro", "Centro Comercial", "Norte"]);

    // Deactivated stores are never offered.
    m.set_store_query("sur".into());
    assert!(m.store_suggestions().is_empty());
}

#[test]
fn arrows_move_the_highlight_and_enter_picks_it() {
    let mut m = model();
    m.set_store_query("cen".into());
    assert_eq!(m.resolved_store(), Some(1));
    m.move_highlight(1);
    assert_eq!(m.resolved_store(), Some(4));
    m.move_highlight(5);
    assert_eq!(m.resolved_store(), Some(4), "stays on the last suggestion");
    m.move_highlight(-3);
    assert_eq!(m.resolved_store(), Some(1));
    m.move_highlight(1);
    m.pick_highlighted();
    assert_eq!(m.form.store_query, "Centro Comercial");
    assert_eq!(m.form.store_pick, Some(4));
    assert!(!m.store_picker_open());
    // Editing the text drops the pick.
    m.set_store_query("Centro Comercia".into());
    assert_eq!(m.form.store_pick, None);
}

#[test]
fn order_numbers_with_hidden_characters_or_emoji_are_refused_in_place() {
    let mut m = model();
    m.set_store_query("nor".into());
    let hidden = [
        ("A\u{2028}1", '\u{2028}'),
        ("1042\u{202E}", '\u{202E}'),
        ("\u{2066}1042\u{2069}", '\u{2066}'),
        ("\u{200B}\u{200B}", '\u{200B}'),
        ("\u{3164}", '\u{3164}'),
        ("A\t1", '\t'),
    ];
    for (number, character) in hidden {
        m.set_number(number.into());
        assert!(m.ready_order().is_none(), "{number:?} was accepted");
        assert_eq!(
            m.form.errors.number,
            Some(FieldError::NumberHiddenCharacter { character }),
            "{number:?}"
        );
    }
    m.set_number("1042🍕".into());
    assert!(m.ready_order().is_none());
    assert_eq!(
        m.form.errors.number,
        Some(FieldError::NumberEmoji { character: '🍕' })
    );
    m.set_number("Ñandú-1042".into());
    assert!(m.ready_order().is_some(), "ordinary numbers still pass");
}

#[test]
fn validation_names_each_problem_in_place() {
    let mut m = model();
    assert!(m.ready_order().is_none());
    assert_eq!(m.form.errors.number, Some(FieldError::NumberEmpty));
    assert_eq!(m.form.errors.store, Some(FieldError::StoreEmpty));
    assert_eq!(m.form.errors.note, None);

    m.set_number("  ".into());
    assert_eq!(m.form.errors.number, Some(FieldError::NumberEmpty));
    m.set_number("x".repeat(65));
    assert!(matches!(
        m.form.errors.number,
        Some(FieldError::NumberTooLong { len: 65, max: 64 })
    ));
    m.set_number("A-1".into());
    assert_eq!(m.form.errors.number, None, "fixed fields clear their error");

    m.set_store_query("Oeste".into());
    assert_eq!(
        m.form.errors.store,
        Some(FieldError::StoreUnknown {
            typed: "Oeste".into()
        })
    );
    m.set_store_query("Sur".into());
    assert!(matches!(
        m.form.errors.store,
        Some(FieldError::StoreUnknown { .. })
    ));
    m.set_store_query("nor".into());
    assert_eq!(m.form.errors.store, None);

    m.set_note("n".repeat(MAX_NOTE_CHARS + 1));
    assert!(matches!(
        m.form.errors.note,
        Some(FieldError::NoteTooLong { len: 501, max: 500 })
    ));
    assert!(m.ready_order().is_none());
    m.set_note("ñ".repeat(MAX_NOTE_CHARS));
    assert_eq!(
        m.form.errors.note, None,
        "limits count characters, not bytes"
    );
    assert!(m.ready_order().is_some());
}

#[test]
fn an_over_long_note_shows_before_any_send_attempt() {
    let mut m = model();
    m.set_number(String::new());
    assert!(
        m.form.errors.number.is_none(),
        "not before the first attempt"
    );
    m.set_note("n".repeat(MAX_NOTE_CHARS + 10));
    assert!(m.form.errors.note.is_some());
}

#[test]
fn sending_queues_then_confirms_and_clears_the_form_but_keeps_the_store() {
    let mut m = model();
    fill(&mut m, " A-100 ", "cen");
    m.set_note(" fragile ".into());
    m.toggle_rush();
    let ready = m.ready_order().expect("valid");
    assert_eq!(
        ready.command(),
        Command::CreateOrder {
            order_number: "A-100".into(),
            store_id: 1,
            note: "fragile".into(),
            priority: Priority::Rush,
            lines: Vec::new(),
        }
    );
    m.order_sent(ready, "k1".into(), t0());
    assert_eq!(m.form.number, "");
    assert_eq!(m.form.note, "");
    assert!(!m.form.rush);
    assert_eq!(m.form.store_query, "Centro");
    assert_eq!(m.resolved_store(), Some(1));
    assert_eq!(m.outbox_len(), 1);

    let rows = m.today_rows(day_start());
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, RowStatus::Queued);
    assert!(rows[0].rush);

    m.apply_link_event(LinkEvent::Queued { key: "k1".into() }, t0());
    assert_eq!(m.today_rows(day_start())[0].status, RowStatus::Queued);

    m.apply_link_event(
        LinkEvent::Acked {
            key: "k1".into(),
            seq: 11,
            order_id: Some(77),
            store_id: None,
        },
        t0(),
    );
    assert_eq!(
        m.feedback,
        Some(Feedback::Confirmed {
            order_number: "A-100".into(),
            store: "Centro".into()
        })
    );
    // Acked before its event arrived: shown as pending already.
    let rows = m.today_rows(day_start());
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, RowStatus::Pending);
    assert_eq!(m.outbox_len(), 0);

    created(&mut m, 77, "A-100", 1, t0() + Duration::seconds(1));
    let rows = m.today_rows(day_start());
    assert_eq!(rows.len(), 1, "the event and the ack are one row");
    assert_eq!(rows[0].order_id, Some(77));
    assert!(rows[0].mine);
}

#[test]
fn packed_rows_say_who_when_and_how_long_it_took() {
    let mut m = model();
    created(&mut m, 1, "A-1", 1, t0());
    event(
        &mut m,
        t0() + Duration::seconds(272),
        PACKER,
        EventBody::OrderPacked { order_id: 1 },
    );
    let row = &m.today_rows(day_start())[0];
    assert_eq!(row.status, RowStatus::Packed);
    assert_eq!(row.status_by.as_deref(), Some("Almacén"));
    assert_eq!(row.status_at, Some(t0() + Duration::seconds(272)));
    assert_eq!(row.packed_after, Some(Duration::seconds(272)));
}

#[test]
fn duplicate_pending_number_for_the_same_store_warns() {
    let mut m = model();
    created(&mut m, 1, "A-1", 1, t0());
    fill(&mut m, "a-1", "centro");
    let dup = m
        .duplicate_warning()
        .expect("same number, same store, pending");
    assert_eq!(dup.order_number, "A-1");
    assert_eq!(dup.store, "Centro");
    assert!(!dup.queued);
    // Warn, never block.
    assert!(m.ready_order().is_some());

    fill(&mut m, "A-1", "norte");
    assert_eq!(m.duplicate_warning(), None, "other store");
    fill(&mut m, "A-2", "centro");
    assert_eq!(m.duplicate_warning(), None, "other number");

    event(&mut m, t0(), PACKER, EventBody::OrderPacked { order_id: 1 });
    fill(&mut m, "A-1", "centro");
    assert_eq!(m.duplicate_warning(), None, "packed is not pending");

    // Still in the outbox counts too.
    let ready = m.ready_order().expect("valid");
    m.order_sent(ready, "k".into(), t0());
    fill(&mut m, "A-1", "centro");
    assert!(m.duplicate_warning().expect("queued").queued);
}

#[test]
fn rejected_orders_show_the_reason_and_leave_the_outbox() {
    let mut m = model();
    fill(&mut m, "A-1", "norte");
    let ready = m.ready_order().expect("valid");
    m.order_sent(ready, "k".into(), t0());
    m.apply_link_event(
        LinkEvent::Rejected {
            key: "k".into(),
            code: ErrorCode::UnknownStore,
            message: "store 2 is deactivated".into(),
        },
        t0(),
    );
    let row = &m.today_rows(day_start())[0];
    assert_eq!(row.status, RowStatus::Refused);
    assert_eq!(row.refusal, Some(ErrorCode::UnknownStore));
    assert_eq!(m.outbox_len(), 0);
    assert!(matches!(m.feedback, Some(Feedback::OrderRefused { .. })));
}
