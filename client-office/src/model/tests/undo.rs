//! Duplicate confirmation, reopening and editing orders.

use super::*;

fn packed(m: &mut Model, order_id: OrderId) {
    event(m, t0(), PACKER, EventBody::OrderPacked { order_id });
}

#[test]
fn a_duplicate_is_held_only_for_the_same_number_and_store_while_pending() {
    let mut m = model();
    created(&mut m, 1, "80001", 2, t0());

    fill(&mut m, "80001", "centro");
    assert!(
        matches!(m.prepare_send(), SendStep::Send(_)),
        "another store is no duplicate"
    );
    assert_eq!(m.undo.duplicate, None);
    fill(&mut m, "80002", "norte");
    assert!(
        matches!(m.prepare_send(), SendStep::Send(_)),
        "another number is no duplicate"
    );

    fill(&mut m, "80001", "norte");
    assert_eq!(m.prepare_send(), SendStep::Confirm);
    let held = m.undo.duplicate.clone().expect("held for confirmation");
    assert_eq!(held.duplicate.order_number, "80001");
    assert_eq!(held.duplicate.store, "Norte");
    assert_eq!(held.duplicate.entered_at, t0());
    assert_eq!(held.order.store_id, 2);

    m.keep_duplicate_back();
    packed(&mut m, 1);
    assert!(
        matches!(m.prepare_send(), SendStep::Send(_)),
        "a packed order is no longer pending"
    );
}

#[test]
fn send_anyway_hands_over_the_held_order_and_cancel_does_not() {
    let mut m = model();
    created(&mut m, 1, "80001", 2, t0());
    fill(&mut m, "80001", "norte");
    m.set_note("second pallet".into());
    assert_eq!(m.prepare_send(), SendStep::Confirm);
    m.keep_duplicate_back();
    assert_eq!(m.undo.duplicate, None);
    assert_eq!(m.send_anyway(), None, "cancelled: nothing to send");
    assert_eq!(m.form.number, "80001", "the form keeps what was typed");

    assert_eq!(m.prepare_send(), SendStep::Confirm);
    let order = m.send_anyway().expect("send anyway gives the order");
    assert_eq!(
        order.command(),
        Command::CreateOrder {
            order_number: "80001".into(),
            store_id: 2,
            note: "second pallet".into(),
            priority: Priority::Normal,
            lines: Vec::new(),
        }
    );
    assert_eq!(m.undo.duplicate, None);
}

#[test]
fn a_packed_order_reopens_with_a_reason() {
    let mut m = model();
    created(&mut m, 1, "A-1", 1, t0());
    m.open_reopen(1);
    assert_eq!(m.undo.reopen, None, "a pending order has nothing to reopen");
    packed(&mut m, 1);
    let row = &m.today_rows(day_start())[0];
    assert!(row.can_reopen() && !row.can_edit());

    m.open_reopen(1);
    assert_eq!(m.confirm_reopen(), None, "a reason is required");
    assert!(m.undo.reopen.as_ref().expect("still open").reason_missing);
    m.undo.reopen.as_mut().expect("open").reason = " two boxes missing ".into();
    let (command, operation) = m.confirm_reopen().expect("a reason was given");
    assert_eq!(
        command,
        Command::RecallOrder {
            order_id: 1,
            reason: "two boxes missing".into()
        }
    );
    assert_eq!(m.undo.reopen, None);
    m.operation_sent("k".into(), operation);
    assert!(!m.today_rows(day_start())[0].can_reopen(), "already asked");
    m.apply_link_event(
        LinkEvent::Acked {
            key: "k".into(),
            seq: 13,
            order_id: Some(1),
            store_id: None,
        },
        t0(),
    );
    assert!(matches!(
        m.feedback,
        Some(Feedback::OperationDone(Operation::Undo(
            UndoOperation::Reopen { .. }
        )))
    ));
}

#[test]
fn a_pending_order_is_edited_from_a_prefilled_form() {
    let mut m = model();
    created(&mut m, 1, "A-1", 1, t0());
    m.open_edit(1);
    let dialog = m.undo.edit.clone().expect("open");
    assert_eq!(
        (dialog.store_id, dialog.note.as_str(), dialog.rush),
        (1, "", false)
    );
    assert_eq!(m.confirm_edit(), None);
    assert_eq!(
        m.undo.edit.as_ref().and_then(|d| d.problem.clone()),
        Some(EditProblem::NothingChanged)
    );
    let dialog = m.undo.edit.as_mut().expect("open");
    dialog.store_id = 5;
    assert_eq!(m.confirm_edit(), None, "Sur is deactivated");
    let dialog = m.undo.edit.as_mut().expect("open");
    dialog.store_id = 2;
    dialog.rush = true;
    dialog.note = "fragile".into();
    let (command, _) = m.confirm_edit().expect("changed");
    assert_eq!(
        command,
        Command::EditOrder {
            order_id: 1,
            store_id: 2,
            note: "fragile".into(),
            priority: Priority::Rush
        }
    );
    assert_eq!(m.undo.edit, None);
}

#[test]
fn a_refused_edit_is_told_in_the_workers_words() {
    let mut m = model();
    created(&mut m, 1, "A-1", 1, t0());
    m.open_edit(1);
    m.undo.edit.as_mut().expect("open").rush = true;
    let (_, operation) = m.confirm_edit().expect("changed");
    m.operation_sent("k".into(), operation);
    m.apply_link_event(
        LinkEvent::Rejected {
            key: "k".into(),
            code: ErrorCode::InvalidState,
            message: "order 1 is packed, not pending".into(),
        },
        t0(),
    );
    let feedback = m.feedback.clone().expect("told");
    assert!(matches!(
        feedback,
        Feedback::UndoRefused(UndoOperation::Edit { .. }, ErrorCode::InvalidState)
    ));
    let text = crate::i18n::Lang::En.feedback(&feedback);
    assert!(
        text.contains("A-1") && !text.contains("not pending"),
        "friendly, not the server's words: {text}"
    );
    assert_ne!(text, crate::i18n::Lang::Es.feedback(&feedback));
}
