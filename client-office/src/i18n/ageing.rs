//! Strings of the site's ageing thresholds (admin, Site tab).

use packbell_shared::protocol::Ageing;

use super::Lang;

#[derive(Debug)]
pub struct AgeingTr {
    pub heading: &'static str,
    pub explain: &'static str,
    pub amber: &'static str,
    pub red: &'static str,
    pub overdue: &'static str,
    pub save: &'static str,
    pub saving: &'static str,
    pub invalid: &'static str,
}

pub static AGEING_EN: AgeingTr = AgeingTr {
    heading: "Order ageing on every warehouse PC",
    explain: "Minutes after which a waiting order turns amber, red, and overdue (its ticket pulses and chimes once more).",
    amber: "Amber from (min)",
    red: "Red from (min)",
    overdue: "Overdue from (min)",
    save: "Save for all warehouse PCs",
    saving: "Saving the ageing thresholds",
    invalid: "Each threshold must be larger than the one before, at most 1440 minutes.",
};

pub static AGEING_ES: AgeingTr = AgeingTr {
    heading: "Antigüedad de los pedidos en todos los PC del almacén",
    explain: "Minutos tras los que un pedido en espera se vuelve ámbar, rojo y atrasado (su ficha parpadea y suena una vez más).",
    amber: "Ámbar a partir de (min)",
    red: "Rojo a partir de (min)",
    overdue: "Atrasado a partir de (min)",
    save: "Guardar para todos los PC del almacén",
    saving: "Guardando los umbrales de antigüedad",
    invalid: "Cada umbral debe ser mayor que el anterior, como mucho 1440 minutos.",
};

impl Lang {
    pub fn ageing_tr(self) -> &'static AgeingTr {
        match self {
            Lang::En => &AGEING_EN,
            Lang::Es => &AGEING_ES,
        }
    }

    pub fn ageing_saved(self, ageing: &Ageing) -> String {
        let Ageing {
            amber_minutes: amber,
            red_minutes: red,
            overdue_minutes: overdue,
        } = ageing;
        match self {
            Lang::En => format!(
                "Every warehouse PC now shows orders amber from {amber} min, red from {red} min, overdue from {overdue} min."
            ),
            Lang::Es => format!(
                "Todos los PC del almacén muestran ahora los pedidos en ámbar desde {amber} min, en rojo desde {red} min y atrasados desde {overdue} min."
            ),
        }
    }
}
