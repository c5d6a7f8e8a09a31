//! Strings of the Exports screen (admin), in both languages. What went wrong is said
//! in plain words; the technical cause goes behind Details.

use std::path::Path;

use packbell_shared::protocol::{ErrorCode, ExportDelimiter, ExportKind};

use super::Lang;
use crate::model::{ExportProblem, FormProblem};

#[derive(Debug)]
pub struct ExportsTr {
    pub heading: &'static str,
    pub kind: &'static str,
    pub separator: &'static str,
    pub file_name: &'static str,
    pub folder: &'static str,
    pub open_folder: &'static str,
    pub cancel: &'static str,
    pub asking: &'static str,
    pub cancelled: &'static str,
    pub cleaning: &'static str,
}

pub static EXPORTS_EN: ExportsTr = ExportsTr {
    heading: "CSV reports",
    kind: "Report",
    separator: "Separator",
    file_name: "File name",
    folder: "Saved in",
    open_folder: "Open folder",
    cancel: "Cancel export",
    asking: "Asking the server for the report…",
    cancelled: "Export cancelled; no file was saved.",
    cleaning: "Removing the unfinished file…",
};

pub static EXPORTS_ES: ExportsTr = ExportsTr {
    heading: "Informes CSV",
    kind: "Informe",
    separator: "Separador",
    file_name: "Nombre del archivo",
    folder: "Se guarda en",
    open_folder: "Abrir carpeta",
    cancel: "Cancelar exportación",
    asking: "Pidiendo el informe al servidor…",
    cancelled: "Exportación cancelada; no se guardó ningún archivo.",
    cleaning: "Quitando el archivo a medias…",
};

impl Lang {
    pub fn exports_tr(self) -> &'static ExportsTr {
        match self {
            Lang::En => &EXPORTS_EN,
            Lang::Es => &EXPORTS_ES,
        }
    }

    /// The separator a spreadsheet in this language expects: Spanish-locale ones
    /// read `;` (and decimal commas).
    pub fn default_delimiter(self) -> ExportDelimiter {
        match self {
            Lang::En => ExportDelimiter::Comma,
            Lang::Es => ExportDelimiter::Semicolon,
        }
    }

    pub fn export_kind(self, kind: ExportKind) -> &'static str {
        match (self, kind) {
            (Lang::En, ExportKind::Audit) => "Audit: every event",
            (Lang::Es, ExportKind::Audit) => "Auditoría: cada evento",
            (Lang::En, ExportKind::Orders) => "Orders: one row per order",
            (Lang::Es, ExportKind::Orders) => "Pedidos: una fila por pedido",
            (Lang::En, ExportKind::Summary) => "Speed of service per store",
            (Lang::Es, ExportKind::Summary) => "Rapidez de servicio por tienda",
            (Lang::En, ExportKind::Hourly) => "Speed of service per hour",
            (Lang::Es, ExportKind::Hourly) => "Rapidez de servicio por hora",
        }
    }

    pub fn delimiter_name(self, delimiter: ExportDelimiter) -> &'static str {
        match (self, delimiter) {
            (Lang::En, ExportDelimiter::Comma) => "Comma ,",
            (Lang::Es, ExportDelimiter::Comma) => "Coma ,",
            (Lang::En, ExportDelimiter::Semicolon) => "Semicolon ; (Spanish Excel)",
            (Lang::Es, ExportDelimiter::Semicolon) => "Punto y coma ; (Excel en español)",
        }
    }

    pub fn export_form_problem(self, problem: FormProblem) -> &'static str {
        match (self, problem) {
            (Lang::En, FormProblem::FromDate) => {
                "The From date is not a date: write it as 2026-03-31."
            }
            (Lang::Es, FormProblem::FromDate) => {
                "La fecha Desde no es una fecha: escríbela como 2026-03-31."
            }
            (Lang::En, FormProblem::ToDate) => "The To date is not a date: write it as 2026-03-31.",
            (Lang::Es, FormProblem::ToDate) => {
                "La fecha Hasta no es una fecha: escríbela como 2026-03-31."
            }
            (Lang::En, FormProblem::Inverted) => "From is after To: swap the dates.",
            (Lang::Es, FormProblem::Inverted) => {
                "Desde es posterior a Hasta: intercambia las fechas."
            }
            (Lang::En, FormProblem::FileName) => {
                "Use a plain file name, without folders or a leading dot."
            }
            (Lang::Es, FormProblem::FileName) => {
                "Usa un nombre de archivo sencillo, sin carpetas ni punto al principio."
            }
            (Lang::En, FormProblem::NoFolder) => {
                "This PC has no documents folder to save reports in."
            }
            (Lang::Es, FormProblem::NoFolder) => {
                "Este PC no tiene carpeta de documentos donde guardar informes."
            }
            (Lang::En, FormProblem::NotConnected) => {
                "Not connected to the server. Export again once it is back."
            }
            (Lang::Es, FormProblem::NotConnected) => {
                "Sin conexión con el servidor. Exporta de nuevo cuando vuelva."
            }
        }
    }

    /// Why the export ended without a file; the technical words go behind Details.
    pub fn export_problem(self, problem: &ExportProblem) -> &'static str {
        match (self, problem) {
            (Lang::En, ExportProblem::Server(ErrorCode::InvalidField, _)) => {
                "The server did not accept the dates. Check From and To."
            }
            (Lang::Es, ExportProblem::Server(ErrorCode::InvalidField, _)) => {
                "El servidor no aceptó las fechas. Revisa Desde y Hasta."
            }
            (Lang::En, ExportProblem::Server(ErrorCode::UnknownStore, _)) => {
                "One of the ticked stores no longer exists. Untick it and export again."
            }
            (Lang::Es, ExportProblem::Server(ErrorCode::UnknownStore, _)) => {
                "Una de las tiendas marcadas ya no existe. Desmárcala y exporta de nuevo."
            }
            (Lang::En, ExportProblem::Server(ErrorCode::Forbidden, _)) => {
                "Only administrator PCs may export reports."
            }
            (Lang::Es, ExportProblem::Server(ErrorCode::Forbidden, _)) => {
                "Solo los PC de administración pueden exportar informes."
            }
            (Lang::En, ExportProblem::Server(..)) => {
                "The server stopped the export; no file was saved. Export again."
            }
            (Lang::Es, ExportProblem::Server(..)) => {
                "El servidor detuvo la exportación; no se guardó ningún archivo. Exporta de nuevo."
            }
            (Lang::En, ExportProblem::Write(_)) => {
                "The file could not be written on this PC (is the disk full, or the folder read-only?). Nothing was saved."
            }
            (Lang::Es, ExportProblem::Write(_)) => {
                "No se pudo escribir el archivo en este PC (¿disco lleno o carpeta de solo lectura?). No se guardó nada."
            }
            (Lang::En, ExportProblem::ConnectionLost) => {
                "The connection to the server was lost; nothing was saved. Export again once it is back."
            }
            (Lang::Es, ExportProblem::ConnectionLost) => {
                "Se perdió la conexión con el servidor; no se guardó nada. Exporta de nuevo cuando vuelva."
            }
        }
    }

    /// "1 234 rows, 1.2 MB so far".
    pub fn export_progress(self, rows: u64, bytes: u64) -> String {
        let size = megabytes(bytes);
        match self {
            Lang::En => format!("{rows} rows, {size} MB so far"),
            Lang::Es => format!("{rows} filas, {size} MB por ahora"),
        }
    }

    pub fn export_saved(self, rows: u64, path: &Path) -> String {
        let path = path.display();
        match self {
            Lang::En if rows == 1 => format!("Saved 1 row to {path}"),
            Lang::En => format!("Saved {rows} rows to {path}"),
            Lang::Es if rows == 1 => format!("Guardada 1 fila en {path}"),
            Lang::Es => format!("Guardadas {rows} filas en {path}"),
        }
    }
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1_000_000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_problems_hold_no_technical_words() {
        let problems = [
            ExportProblem::Server(ErrorCode::InvalidField, "bad date".into()),
            ExportProblem::Server(ErrorCode::Internal, "sqlite busy".into()),
            ExportProblem::Write("os error 28".into()),
            ExportProblem::ConnectionLost,
        ];
        for lang in Lang::ALL {
            for problem in &problems {
                let text = lang.export_problem(problem);
                for marker in ["_", "error 2", "sqlite", "bad date"] {
                    assert!(!text.contains(marker), "{text}");
                }
            }
        }
    }

    #[test]
    fn progress_and_saved_lines_read_naturally() {
        assert_eq!(
            Lang::En.export_progress(1234, 1_250_000),
            "1234 rows, 1.2 MB so far"
        );
        assert_eq!(
            Lang::Es.export_saved(1, Path::new("/d/r.csv")),
            "Guardada 1 fila en /d/r.csv"
        );
    }
}
