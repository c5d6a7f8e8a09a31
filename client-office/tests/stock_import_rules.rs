//! The office's stock import refuses exactly the rows the server's import refuses:
//! both read the same files, and the bad lines must be the same.

use packbell_office::model::import_commands;
use packbell_server::stock::import::{ImportError, parse};
use packbell_shared::protocol::{Event, EventBody};
use packbell_shared::state::SiteState;

fn site() -> SiteState {
    let mut site = SiteState::default();
    site.apply(&Event {
        seq: 1,
        at: chrono::Utc::now(),
        device: 1,
        body: EventBody::StoreAdded {
            store_id: 1,
            name: "Centro".into(),
        },
    });
    site
}

/// Files, each with rows the rules accept or refuse (line 1 is the header).
const FILES: [&str; 6] = [
    include_str!("../../docs/stock-import-example.csv"),
    "sku,name,store,quantity,unit,min,max\nA,Milk,,4,l,5,40\nB,Salt,,x,kg,2,20\nC,Rice,,1,kg,9,1\n",
    "sku;name;store;quantity;unit;min;max;pack_size;lead_days;lot;expiry\nA;Milk;;4;l;5;40;0;;;\nB;Salt;;1;kg;2;20;1;400;;\nC;Tea;;1;box;1;9;1;1;L1;\n",
    "sku,name,store,quantity,unit,min,max,lot,expiry\nA,Milk,,4,l,5,40,L1,2026-02-30\nA,Milk,,4,l,5,40,L1,2026-03-01\nA,Milk,,4,l,5,41,L2,2026-03-01\n",
    "sku,name,store,quantity,unit,min,max\n,Milk,,4,l,5,40\nB,,,4,l,5,40\nC,Rice,,-1,kg,0,4\nD,Oil,,1,,1,2\n",
    "sku,name,store,quantity,unit,min,max,lot,expiry\nA,Milk,,4,l,5,40,,2026-03-01\nB,Salt,,1,kg,1,2\nB,Salt,,1,kg,1,2\n",
];

fn server_lines(file: &str) -> Vec<u64> {
    match parse(file.as_bytes()) {
        Ok(_) => Vec::new(),
        Err(ImportError::Rows(errors)) => errors.iter().map(|e| e.line).collect(),
        Err(other) => panic!("not a row error: {other:?}"),
    }
}

#[test]
fn office_and_server_refuse_the_same_lines() {
    for file in FILES {
        let office: Vec<u64> = match import_commands(file.as_bytes(), &site()) {
            Ok(_) => Vec::new(),
            Err(problems) => problems.iter().map(|p| p.line).collect(),
        };
        assert_eq!(office, server_lines(file), "{file}");
    }
    assert!(
        server_lines(FILES[1]).len() == 2,
        "the cases do refuse rows"
    );
}
