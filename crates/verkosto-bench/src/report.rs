//! The figures: one row per scenario and backend, printed as a Markdown table and written as JSON.

use std::path::Path;

use serde::Serialize;

/// One measured figure against its baseline and target.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// What was measured.
    pub scenario: String,
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// The figure, in `unit`.
    pub value: f64,
    /// Unit of `value` (and of `baseline` unless `baseline_unit` says otherwise).
    pub unit: String,
    /// Extra figures shown with it (latencies).
    pub detail: String,
    /// What the baseline is.
    pub baseline_name: String,
    /// The baseline figure measured in the same run.
    pub baseline: Option<f64>,
    /// Unit of `baseline`.
    pub baseline_unit: String,
    /// `value / baseline` (for times: how many times the floor; for rates: the share of the ceiling).
    pub ratio: Option<f64>,
    /// The target, in words.
    pub target: String,
    /// Whether the target is met (`None`: no target for this row).
    pub met: Option<bool>,
}

impl Row {
    /// A row without baseline or target.
    pub fn info(scenario: &str, backend: &str, value: f64, unit: &str) -> Row {
        Row {
            scenario: scenario.into(),
            backend: backend.into(),
            value,
            unit: unit.into(),
            detail: String::new(),
            baseline_name: String::new(),
            baseline: None,
            baseline_unit: String::new(),
            ratio: None,
            target: String::new(),
            met: None,
        }
    }

    /// Adds a baseline and the ratio to it.
    pub fn against(mut self, name: &str, baseline: f64, unit: &str) -> Row {
        self.baseline_name = name.into();
        self.baseline = Some(baseline);
        self.baseline_unit = unit.into();
        self.ratio = Some(self.value / baseline);
        self
    }

    /// Adds a target and whether it is met.
    pub fn target(mut self, target: &str, met: bool) -> Row {
        self.target = target.into();
        self.met = Some(met);
        self
    }

    /// Adds extra figures.
    pub fn detail(mut self, detail: String) -> Row {
        self.detail = detail;
        self
    }
}

/// Everything a run produced.
#[derive(Default)]
pub struct Results {
    /// The figures.
    pub rows: Vec<Row>,
    /// What went wrong (the run exits non-zero when there is any).
    pub problems: Vec<String>,
}

fn number(v: f64, unit: &str) -> String {
    let digits = if v >= 100.0 {
        0
    } else if v >= 10.0 {
        1
    } else {
        2
    };
    let mut s = format!("{v:.digits$}");
    if digits == 0 && s.len() > 3 {
        // Thousands separators make req/s readable.
        let mut out = String::new();
        for (i, ch) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(ch);
        }
        s = out;
    }
    format!("{s} {unit}")
}

/// The rows as a Markdown table.
pub fn markdown(rows: &[Row]) -> String {
    let mut out = String::from(
        "| scenario | backend | figure | baseline (same run) | ratio | target | result |\n| --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for r in rows {
        let figure = if r.detail.is_empty() {
            number(r.value, &r.unit)
        } else {
            format!("{} ({})", number(r.value, &r.unit), r.detail)
        };
        let baseline = match r.baseline {
            Some(b) => format!("{}: {}", r.baseline_name, number(b, &r.baseline_unit)),
            None => String::new(),
        };
        let ratio = r.ratio.map(|x| format!("{x:.2}")).unwrap_or_default();
        let result = match r.met {
            Some(true) => "met",
            Some(false) => "MISSED",
            None => "",
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            r.scenario, r.backend, figure, baseline, ratio, r.target, result
        ));
    }
    out
}

/// What machine the figures came from.
#[derive(Serialize)]
struct Machine {
    cpu: String,
    cores: usize,
    memory: String,
    kernel: String,
}

fn machine() -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default();
    let memory = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("MemTotal"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default();
    Machine {
        cpu,
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        memory,
        kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

/// Writes the figures, the plan and the machine as JSON.
pub fn write_json(path: &Path, plan: &crate::Plan, results: &Results) -> anyhow::Result<()> {
    let doc = serde_json::json!({
        "generated_at": chrono::Utc::now().to_rfc3339(),
        "machine": machine(),
        "plan": plan,
        "rows": results.rows,
        "problems": results.problems,
    });
    std::fs::write(path, serde_json::to_string_pretty(&doc)?)?;
    Ok(())
}
