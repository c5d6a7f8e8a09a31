use packbell_shared::protocol::{Event, EventBody};

use super::*;

fn site() -> SiteState {
    let mut site = SiteState::default();
    for (seq, name) in [(1, "Centro"), (2, "Norte")] {
        site.apply(&Event {
            seq,
            at: chrono::Utc::now(),
            device: 1,
            body: EventBody::StoreAdded {
                store_id: seq,
                name: name.into(),
            },
        });
    }
    site
}

#[test]
fn the_documented_example_becomes_one_upsert_per_item() {
    let file = include_bytes!("../../../docs/stock-import-example.csv");
    let commands = import_commands(file, &site()).expect("the example is good");
    assert_eq!(commands.len(), 3);
    let Command::UpsertItem {
        sku,
        store_id,
        quantity,
        lots,
        pack_size,
        ..
    } = &commands[0]
    else {
        panic!("not an upsert: {:?}", commands[0]);
    };
    assert_eq!(sku, "MILK-1L");
    assert_eq!((*store_id, *quantity, *pack_size), (Some(1), Some(30), 6));
    let lots = lots.as_ref().expect("lots are set");
    assert_eq!(
        lots.iter().map(|l| l.quantity).collect::<Vec<_>>(),
        vec![18, 12]
    );
    let Command::UpsertItem { store_id, lots, .. } = &commands[1] else {
        panic!("not an upsert");
    };
    assert_eq!(
        (*store_id, lots.as_deref()),
        (None, Some(&[][..])),
        "site-wide, no lots"
    );
}

#[test]
fn a_file_with_bad_rows_sends_nothing_and_names_each_line() {
    let file = "\u{feff}sku,name,store,quantity,unit,min,max\n\
                A-1,Milk,centro,4,l,5,40\n\
                B-2,Salt,,many,kg,2,20\n\
                C-3,Rice,,1,kg,9,1\n\
                D-4,Oil,Oeste,1,l,1,2\n";
    let problems = import_commands(file.as_bytes(), &site()).expect_err("refused");
    let lines: Vec<u64> = problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, vec![3, 4, 5], "{problems:?}");
    assert!(problems[0].message.contains("\"many\""), "{problems:?}");
    assert!(problems[1].message.contains("min (9)"), "{problems:?}");
    assert!(problems[2].message.contains("Oeste"), "{problems:?}");
}

#[test]
fn a_header_without_the_required_columns_is_refused_at_line_1() {
    let problems = import_commands(b"sku;name;quantity;unit;min;max\nA;B;1;l;1;2\n", &site())
        .expect_err("refused");
    assert_eq!(problems[0].line, 1);
    assert!(problems[0].message.contains("store"), "{problems:?}");
}
