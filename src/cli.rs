//! The command line: arguments (clap) and the plain-text face of every ledger operation,
//! for scripts, tests and people without the UI.

use crate::export::{self, Format};
use crate::import::{self, Aliases};
use crate::lang::{t, Lang};
use crate::model::{Domain, Event, Status, Task};
use crate::ops::Op;
use crate::server::session::Session;
use crate::text::Inert;
use crate::tr;
use crate::units::{unit_summaries, UnitSummary};
use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "duban",
    version,
    about = t(
        "督办：跟踪全年重点工作任务——按领域浏览、判定状态、导出通报",
        "督办: follow the year's key work tasks — browse by domain, judge status, export the 通报"
    ),
    long_about = t(
        "督办（duban）跟踪市政府重点工作任务：导入季度报告，按领域浏览任务，判定每项任务的状态\
（未启动 / 正常推进 / 进度滞后 / 严重滞后 / 已完成），导出结果。\n\n不带命令时打开终端界面。\
数据库为空时，第一条需要任务的命令会载入内置示例。界面语言为中文；--lang en 或 DUBAN_LANG=en 改为英文。",
        "督办 (duban) follows a city government's key work tasks (重点工作任务): import the \
quarterly reports, browse the tasks by domain, set each task's status (未启动 / 正常推进 / \
进度滞后 / 严重滞后 / 已完成) and export the state.\n\nWithout a command it opens the terminal UI. \
On an empty database the first command that needs tasks loads the built-in sample. Messages are \
in Chinese unless --lang en or DUBAN_LANG=en."
    )
)]
pub struct Cli {
    #[arg(long, global = true, env = "DUBAN_DB", value_name = "PATH", help = t(
        "数据库文件夹（默认：系统的数据目录）",
        "The database folder (default: the platform data directory)"
    ))]
    pub db: Option<PathBuf>,
    /// Read in `main` before parsing (`Lang::from_args_and_env`); declared so clap accepts it.
    #[arg(long, global = true, value_name = "zh|en", value_parser = parse_lang, help = t(
        "提示和消息的语言：zh（默认）或 en；也可设 DUBAN_LANG=en",
        "Language of messages: zh (default) or en; DUBAN_LANG=en does the same"
    ))]
    pub lang: Option<Lang>,
    #[arg(long, value_name = "NAME|PATH", help = t(
        "界面的键位：default、vim、emacs 或一个 TOML 文件（仅用于界面）",
        "Keymap for the UI: default, vim, emacs, or a TOML file (UI only)"
    ))]
    pub keymap: Option<String>,
    #[arg(long, help = t(
        "用 ASCII 画边框和符号，适合把框线字符显示成双宽的终端（仅用于界面）",
        "ASCII borders and glyphs, for terminals that draw box characters double-wide (UI only)"
    ))]
    pub ascii: bool,
    #[arg(long, help = t(
        "界面接管鼠标（默认不接管，以便选中和复制文字；仅用于界面）",
        "Let the UI take the mouse (off by default so text can be selected and copied; UI only)"
    ))]
    pub mouse: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// A status as typed: its label (进度滞后), id (behind) or key (1-5).
fn parse_status(s: &str) -> std::result::Result<Status, String> {
    s.parse::<Status>().map_err(|_| {
        tr!(
            "没有状态“{s}”：可用 未启动、正常推进、进度滞后、严重滞后、已完成，或 1-5（也可用 not_started、on_track、behind、seriously_behind、done）",
            "unknown status '{s}': use one of not_started, on_track, behind, seriously_behind, done (or 未启动, 正常推进, 进度滞后, 严重滞后, 已完成, or 1-5)"
        )
    })
}

/// A domain as typed: its label (生态) or id (ecology).
fn parse_domain(s: &str) -> std::result::Result<Domain, String> {
    s.parse::<Domain>().map_err(|_| {
        tr!(
            "没有领域“{s}”：可用 生态、民生、创新、改革（也可用 ecology、livelihood、innovation、reform）",
            "unknown domain '{s}': use one of ecology, livelihood, innovation, reform (or 生态, 民生, 创新, 改革)"
        )
    })
}

fn parse_lang(s: &str) -> std::result::Result<Lang, String> {
    Lang::parse(s).ok_or_else(|| {
        tr!(
            "语言只能是 zh 或 en，不是“{s}”",
            "the language is zh or en, not '{s}'"
        )
    })
}

#[derive(Debug, Subcommand)]
pub enum Command {
    #[command(about = t(
        "导入报告（Word、Excel、网页或文本，自动识别类型、版式和编码）；按序号与已有任务对应，以目标核对",
        "Import a report (Word, Excel, a web page or text; its type, layout and encoding are detected); rows are matched to the tasks already there by number, confirmed by goal"
    ))]
    Import {
        #[arg(help = t(
            "报告文件：.docx、.xlsx/.xls/.ods/.et、.html、.csv 或文本（UTF-8、GBK/GB18030、UTF-16）",
            "The report file: .docx, .xlsx/.xls/.ods/.et, .html, .csv or text (UTF-8, GBK/GB18030, UTF-16)"
        ))]
        file: PathBuf,
        #[arg(long, help = t(
            "报告期（如 2020年第三季度）；默认取标题所写的报告期，否则取报告或文件名中的日期",
            "The report period (e.g. 2020年第三季度); by default the one the title names, else one named after a date in the report or the file"
        ))]
        period: Option<String>,
        #[arg(long, help = t(
            "从头开始：先删除全部任务（历史保留）",
            "Start over: remove every task first (history is kept)"
        ))]
        replace: bool,
        #[arg(long, help = t(
            "只读报告，列出各行和无法归位的行，不写入任何内容",
            "Only read the report and show its rows and the lines it could not place; write nothing"
        ))]
        dry_run: bool,
        #[arg(long, short, help = t(
            "列出每一项新增、改号和未出现在报告中的任务（默认只给数目和几个例子）",
            "List every task added, renumbered or left out of the report (by default counts and a few examples)"
        ))]
        verbose: bool,
    },
    #[command(about = t("按领域分组列出任务", "List tasks grouped by domain"))]
    List {
        #[arg(long, value_parser = parse_domain, help = t(
            "只看此领域（生态、民生、创新、改革，或 ecology、livelihood、innovation、reform）",
            "Only this domain (ecology, livelihood, innovation, reform or 生态, 民生, 创新, 改革)"
        ))]
        domain: Option<Domain>,
        #[arg(long, value_parser = parse_status, help = t(
            "只看此状态（未启动、正常推进、进度滞后、严重滞后、已完成，或 1-5，或英文 id）",
            "Only this status (not_started, on_track, behind, seriously_behind, done or the Chinese label)"
        ))]
        status: Option<Status>,
        #[arg(long, help = t(
            "只看此单位牵头或配合的任务（单位名称的任一部分，原文或规范名）",
            "Only tasks this unit leads or shares (any part of its name, written or canonical)"
        ))]
        unit: Option<String>,
        #[arg(long, help = t("输出 JSON（任务对象与 export 相同）", "Print JSON (task objects as in `export`)"))]
        json: bool,
    },
    #[command(about = t(
        "搜索任务：关键词、单位（@单位 或 unit:）、#序号、状态、领域或拼音",
        "Search tasks by keyword, unit (@单位 or unit:), #number, status:, domain: or pinyin"
    ))]
    Search {
        #[arg(help = t(
            "多个词须同时匹配；拉丁字母也匹配拼音（hcst、heichou）",
            "Words combine with AND; Latin letters also match pinyin (hcst, heichou)"
        ))]
        query: String,
        #[arg(long, help = t("输出 JSON", "Print JSON"))]
        json: bool,
        #[arg(long, default_value_t = 20, help = t("最多显示几条结果（0 = 全部）", "At most this many results (0 = all)"))]
        limit: usize,
    },
    #[command(about = t(
        "查看一项任务：目标、各报告期进展、单位、状态、备注、历史",
        "Show one task: goal, progress of every period, units, status, notes, history"
    ))]
    Show {
        #[arg(help = t("任务序号", "The task number"))]
        number: u32,
        #[arg(long, help = t("输出 JSON", "Print JSON"))]
        json: bool,
    },
    #[command(about = t("设置任务状态", "Set a task's status"))]
    Set {
        #[arg(help = t("任务序号", "The task number"))]
        number: u32,
        #[arg(value_parser = parse_status, help = t(
            "未启动 | 正常推进 | 进度滞后 | 严重滞后 | 已完成（或 1-5，或 not_started … done）",
            "not_started | on_track | behind | seriously_behind | done (or 未启动 … 已完成, or 1-5)"
        ))]
        status: Status,
        #[arg(long, help = t("随此修改记入历史的说明", "A note kept with the change in history"))]
        note: Option<String>,
    },
    #[command(about = t(
        "给任务加备注（通报的备注栏）；用 --edit K 或 --remove K 改写或删除第 K 条（`duban show N` 列出序号，历史保留原文）",
        "Add a note to a task (its 备注 in the 通报); with --edit K or --remove K rewrite or remove its Kth note instead (`duban show N` numbers them; history keeps the old text)"
    ))]
    Note {
        #[arg(help = t("任务序号", "The task number"))]
        number: u32,
        #[arg(required_unless_present = "remove", help = t(
            "备注内容（--edit 时为新内容；--remove 时不写）",
            "The note's text (the new text with --edit; none with --remove)"
        ))]
        text: Option<String>,
        #[arg(long, value_name = "K", conflicts_with = "remove", help = t(
            "用 TEXT 改写第 K 条备注（第一条为 1）",
            "Rewrite note K (1 is the first) with TEXT"
        ))]
        edit: Option<usize>,
        #[arg(long, value_name = "K", conflicts_with = "text", help = t(
            "从任务备注、通报和导出中删除第 K 条备注（第一条为 1）",
            "Remove note K (1 is the first) from the task's notes, the 通报 and the exports"
        ))]
        remove: Option<usize>,
    },
    #[command(about = t(
        "把任务移到另一个领域（重新导入后仍保留）",
        "Move a task to another domain (kept across re-imports)"
    ))]
    Move {
        #[arg(help = t("任务序号", "The task number"))]
        number: u32,
        #[arg(value_parser = parse_domain, help = t("生态、民生、创新、改革（或英文 id）", "ecology, livelihood, innovation, reform (or 生态 …)"))]
        domain: Domain,
    },
    #[command(about = t(
        "更正任务的目标文字（重新导入后仍保留）",
        "Correct a task's goal text (kept across re-imports)"
    ))]
    Goal {
        #[arg(help = t("任务序号", "The task number"))]
        number: u32,
        #[arg(help = t("新的目标文字", "The new goal text"))]
        text: String,
    },
    #[command(about = t(
        "撤销一项任务的上一次修改（状态、备注的增改删、目标更正、领域调整）；不写序号则撤销你自己对任意任务的上一次修改。撤销记为新的历史事件，再撤销一次即恢复",
        "Undo the last edit of a task — a status, a note added, edited or removed, a goal correction, a domain move — or, without a number, your own last edit of any task. Recorded as a new event; undoing an undo puts the edit back"
    ))]
    Undo {
        #[arg(help = t("任务序号", "The task number"))]
        number: Option<u32>,
    },
    #[command(about = t(
        "各责任单位：牵头和配合的任务数，牵头任务的状态分布",
        "Every unit with its tasks as lead and as co, and how its lead tasks stand"
    ))]
    Units {
        #[arg(long, help = t(
            "只列牵头任务有红灯或黄灯的单位，按滞后排序，附各项任务",
            "Only units leading red or yellow tasks, ranked, each with its tasks and lights"
        ))]
        lagging: bool,
        #[arg(long, help = t("输出 JSON", "Print JSON"))]
        json: bool,
        #[arg(long, help = t("用 ASCII 符号代替状态灯", "ASCII glyphs for the status lights"))]
        ascii: bool,
    },
    #[command(about = t(
        "建议状态（序时进度）：最新报告期的完成数字与全年已过时间相比",
        "Suggested statuses (序时进度): completion figures of the latest period against the share of the year elapsed"
    ))]
    Suggest {
        #[arg(long, help = t("输出 JSON", "Print JSON"))]
        json: bool,
    },
    #[command(about = t(
        "采纳任务的建议状态（连同理由记入历史）",
        "Accept a task's suggested status (recorded in history with its reason)"
    ))]
    Accept {
        #[arg(help = t("任务序号", "The task number"))]
        number: u32,
    },
    #[command(about = t(
        "报告期：列出或改名（标题未写报告期的报告按日期或文件名导入）",
        "Report periods: list them, or rename one (a report whose title named no period is imported under a date or its file's name)"
    ))]
    Period {
        #[command(subcommand)]
        action: PeriodAction,
    },
    #[command(about = t("谁在何时改了什么（一项任务或全部）", "Who changed what, when (one task, or all)"))]
    History {
        #[arg(help = t("任务序号（不写则全部）", "The task number (all when left out)"))]
        number: Option<u32>,
        #[arg(long, help = t("输出 JSON", "Print JSON"))]
        json: bool,
    },
    #[command(about = t(
        "导出全部数据（json），或通报反馈表（csv、md、xlsx）",
        "Export the whole state (json), or the 通报 feedback table (csv, md, xlsx)"
    ))]
    Export {
        #[arg(long, value_enum, default_value = "json", help = t("格式", "The format"))]
        format: Format,
        #[arg(long, help = t(
            "csv、md、xlsx 用：改用此前某一报告期的进展（如 2020年上半年）",
            "For csv, md and xlsx: the progress of this earlier period (e.g. 2020年上半年)"
        ))]
        period: Option<String>,
        #[arg(long, short, help = t("写入此文件，而不是标准输出", "Write to this file instead of standard output"))]
        output: Option<PathBuf>,
    },
    #[command(about = t(
        "共享数据库：通过其旁边的 Unix 套接字（<db>/duban.sock，仅属主和同组可用）供本机其他 duban 进程使用",
        "Share the database: serve it to other duban processes on this machine through a Unix socket beside it (<db>/duban.sock, owner and group only)"
    ))]
    Serve {
        #[arg(long, value_name = "SECS", help = t(
            "最后一个客户端离开若干秒后退出（默认一直运行）",
            "Exit this many seconds after the last client leaves (default: run until stopped)"
        ))]
        idle_exit: Option<u64>,
    },
    #[command(about = t(
        "把全部任务和历史一致地备份到 DIR，文件名为 duban-backup-<UTC 时间>.json（即导出的 JSON，另含已删除任务的历史）；他人通过服务器编辑时也可备份",
        "Write a consistent copy of every task and all history into DIR as duban-backup-<UTC time>.json (the export JSON, plus the history of removed tasks); works while others edit through a server"
    ))]
    Backup {
        #[arg(help = t("写入的文件夹（不存在则创建）", "The folder to write into (created if missing)"))]
        dir: PathBuf,
    },
    #[command(about = t(
        "从备份（或 JSON 导出）重建数据库：每项任务和每条历史事件（时间、用户、修改、说明）。事件按原顺序重新编号。有服务器在用此数据库时拒绝执行",
        "Rebuild a database from a backup (or a JSON export): every task, and every history event with its time, user, change and note. Events are numbered anew, in order (1, 2, 3… in a new database). Refused while a server serves the database"
    ))]
    Restore {
        #[arg(help = t("`duban backup` 写出的文件", "A file `duban backup` wrote"))]
        file: PathBuf,
        #[arg(long, help = t(
            "覆盖数据库现有的任务（任务被替换；原有历史保留，备份的历史接在后面）",
            "Restore over the tasks the database has (they are replaced; its history is kept and the backup's is added after it)"
        ))]
        force: bool,
    },
    #[command(about = t(
        "设置共享数据库（由 root 或服务账户运行）",
        "Setting up a shared database (run by root or the service account)"
    ))]
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminAction {
    #[command(about = t(
        "创建由服务账户拥有的共享数据库：只有它能读的文件、供 GROUP 使用的套接字、access.toml，以及 systemd 的 duban.socket 和 duban.service",
        "Create a shared database owned by a service account: files only it can read, the socket for GROUP, access.toml, and systemd's duban.socket + duban.service"
    ))]
    InitShared {
        #[arg(help = t("数据库文件夹（绝对路径），如 /srv/duban", "The database folder (absolute), e.g. /srv/duban"))]
        dir: PathBuf,
        #[arg(long, help = t(
            "工作人员的 Unix 组：可以连接；谁能编辑由 access.toml 决定",
            "The staff's Unix group: it may connect; access.toml says who edits"
        ))]
        group: String,
        #[arg(long, help = t(
            "拥有文件并运行服务器的账户（默认：你自己）",
            "The account that owns the files and runs the server (default: you)"
        ))]
        owner: Option<String>,
        #[arg(long, default_value = "/etc/systemd/system", help = t("systemd 单元文件写入的位置", "Where the systemd units are written"))]
        units: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum PeriodAction {
    #[command(about = t(
        "列出每个报告期及有此报告期的任务数，从早到晚",
        "Every report period with how many tasks have it, oldest first"
    ))]
    List,
    #[command(about = t(
        "在所有任务中给报告期改名（如 `duban period rename 2022年7月12日 2022年上半年`）",
        "Rename a period in every task that has it (e.g. `duban period rename 2022年7月12日 2022年上半年`)"
    ))]
    Rename {
        #[arg(help = t("原名称", "The old name"))]
        old: String,
        #[arg(help = t("新名称", "The new name"))]
        new: String,
    },
}

/// The command line as clap sees it, its own words (headings, `--help`, `--version`) in the
/// language in force. `main` parses with it; `Cli::command()` alone would say them in English.
pub fn command() -> clap::Command {
    use clap::{Arg, ArgAction, CommandFactory};
    fn localize(cmd: clap::Command, top: bool) -> clap::Command {
        let args: Vec<(clap::Id, bool)> = cmd
            .get_arguments()
            .map(|a| (a.get_id().clone(), a.is_positional()))
            .collect();
        let mut cmd = cmd
            .help_template(t(
                "{before-help}{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}",
                "{before-help}{about-with-newline}\nUsage: {usage}\n\n{all-args}{after-help}",
            ))
            .subcommand_help_heading(t("命令", "Commands"))
            .next_help_heading(t("选项", "Options"))
            .disable_help_flag(true)
            .disable_help_subcommand(true)
            .arg(
                Arg::new("help")
                    .short('h')
                    .long("help")
                    .action(ArgAction::Help)
                    .help(t("显示帮助", "Print help")),
            );
        for (id, positional) in args {
            let heading = if positional {
                t("参数", "Arguments")
            } else {
                t("选项", "Options")
            };
            cmd = cmd.mut_arg(id, |a| a.help_heading(heading));
        }
        if top {
            cmd = cmd.disable_version_flag(true).arg(
                Arg::new("version")
                    .short('V')
                    .long("version")
                    .action(ArgAction::Version)
                    .help(t("显示版本", "Print version")),
            );
        }
        let names: Vec<String> = cmd
            .get_subcommands()
            .map(|s| s.get_name().to_string())
            .collect();
        for name in names {
            cmd = cmd.mut_subcommand(name, |s| localize(s, false));
        }
        cmd
    }
    localize(Cli::command(), true)
}

impl Cli {
    /// Parses `args` (the program name first) with the words of `command()`.
    pub fn parse_localized(args: &[std::ffi::OsString]) -> std::result::Result<Cli, clap::Error> {
        use clap::FromArgMatches;
        let mut matches = command().try_get_matches_from(args)?;
        Cli::from_arg_matches_mut(&mut matches)
    }
}

/// A command line clap refused: its help and version as clap prints them, anything else as
/// one sentence after the CLI's one prefix; exits (2, as clap does, for a wrong argument).
pub fn argument_error(e: clap::Error) -> ! {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        e.exit();
    }
    let get = |k: ContextKind| -> String {
        match e.get(k) {
            Some(ContextValue::String(s)) => s.clone(),
            Some(ContextValue::Strings(v)) => v.join(t("、", ", ")),
            Some(ContextValue::StyledStr(s)) => s.to_string(),
            Some(ContextValue::StyledStrs(v)) => v
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(t("、", ", ")),
            Some(ContextValue::Number(n)) => n.to_string(),
            _ => String::new(),
        }
    };
    let arg = get(ContextKind::InvalidArg);
    let value = get(ContextKind::InvalidValue);
    let why = {
        use std::error::Error;
        e.source().map(|s| s.to_string()).unwrap_or_default()
    };
    let suggested = {
        let s = get(ContextKind::SuggestedArg);
        let s = if s.is_empty() {
            get(ContextKind::SuggestedSubcommand)
        } else {
            s
        };
        if s.is_empty() {
            String::new()
        } else {
            tr!("；是不是 {s}？", "; did you mean {s}?")
        }
    };
    let message = match e.kind() {
        ErrorKind::InvalidValue => {
            let valid = get(ContextKind::ValidValue);
            if valid.is_empty() {
                tr!(
                    "{arg} 的值“{value}”无效",
                    "invalid value '{value}' for {arg}"
                )
            } else {
                tr!(
                    "{arg} 的值“{value}”无效，可用：{valid}",
                    "invalid value '{value}' for {arg}; use one of {valid}"
                )
            }
        }
        ErrorKind::ValueValidation => why,
        ErrorKind::UnknownArgument => {
            tr!(
                "不认识的参数 {arg}{suggested}",
                "unexpected argument {arg}{suggested}"
            )
        }
        ErrorKind::InvalidSubcommand => {
            let sub = get(ContextKind::InvalidSubcommand);
            tr!(
                "没有命令 {sub}{suggested}",
                "unrecognized command {sub}{suggested}"
            )
        }
        ErrorKind::MissingRequiredArgument => {
            tr!("缺少参数 {arg}", "a required argument is missing: {arg}")
        }
        ErrorKind::MissingSubcommand => t("缺少命令", "a command is missing").to_string(),
        ErrorKind::ArgumentConflict => {
            let prior = get(ContextKind::PriorArg);
            tr!(
                "{arg} 不能与 {prior} 同用",
                "{arg} cannot be used with {prior}"
            )
        }
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues | ErrorKind::TooFewValues => {
            tr!("{arg} 的值个数不对", "wrong number of values for {arg}")
        }
        _ => {
            let rendered = e.render().to_string();
            let first = rendered.lines().next().unwrap_or("").trim();
            first.strip_prefix("error: ").unwrap_or(first).to_string()
        }
    };
    let message = message.trim_end_matches(['。', '.']);
    let stop = if message.ends_with(['？', '?']) {
        ""
    } else {
        t("。", ".")
    };
    say(format_args!(
        "{}{message}{stop}{}",
        crate::lang::error_prefix(),
        t(
            "`duban --help` 列出用法。",
            " `duban --help` shows the usage."
        )
    ));
    std::process::exit(2);
}

/// Loads the built-in sample into an empty database, saying so on stderr.
pub fn ensure_tasks(session: &Session) -> Result<()> {
    if let Some(s) = session.ensure_sample()? {
        say(format_args!(
            "{}",
            tr!(
                "duban: 数据库 {} 是空的，已载入内置示例（{} 项任务，{}）。用 `duban import 文件` 导入你们自己的报告。",
                "duban: the database {} was empty: loaded the built-in sample ({} tasks, {}). Import your own report with `duban import FILE`.",
                session.db().display(),
                s.added.len(),
                s.period
            )
        ));
    }
    Ok(())
}

/// A message on stderr, through the same sanitiser as stdout (it may name a file or quote
/// a report). Like `eprintln!`, a failed write to stderr has nowhere to be told.
pub fn say(message: std::fmt::Arguments) {
    let mut err = Inert::new(std::io::stderr().lock());
    let _ = writeln!(err, "{message}");
}

/// A human-readable export made inert (see `text::inert_lines`), as bytes.
fn inert_text(text: String) -> Vec<u8> {
    match crate::text::inert_lines(&text) {
        std::borrow::Cow::Borrowed(_) => text.into_bytes(),
        std::borrow::Cow::Owned(clean) => clean.into_bytes(),
    }
}

/// For a command: the shared server when one runs for the database, otherwise the database
/// itself.
pub fn open_session(cli: &Cli) -> Result<Session> {
    let path = cli.db.clone().unwrap_or_else(crate::paths::default_db);
    Ok(crate::server::session::connect_or_open(&path)?)
}

/// Runs a subcommand; `None` (no subcommand) is handled by the caller (the UI). Meant for
/// the `duban` binary: the database stays open until the process exits.
pub fn run(cli: &Cli, command: &Command) -> Result<()> {
    if let Command::Serve { idle_exit } = command {
        let path = cli.db.clone().unwrap_or_else(crate::paths::default_db);
        let idle = idle_exit.map(std::time::Duration::from_secs);
        return Ok(crate::server::serve::run(&path, idle)?);
    }
    if let Command::Admin {
        action:
            AdminAction::InitShared {
                dir,
                group,
                owner,
                units,
            },
    } = command
    {
        let setup = crate::server::shared_setup::SharedSetup {
            db: dir.clone(),
            group: group.clone(),
            owner: owner.clone(),
            units: units.clone(),
            exe: std::env::current_exe().context(t(
                "无法确定 duban 程序所在位置",
                "cannot tell where this duban program is",
            ))?,
        };
        let out = &mut Inert::new(std::io::stdout().lock());
        for line in crate::server::shared_setup::init_shared(&setup)? {
            writeln!(out, "{line}")?;
        }
        return Ok(());
    }
    // Every human-readable line goes through `Inert`: report text in it cannot act on the
    // terminal, whichever field a `write!` below forgot to clean. JSON, whose escapes keep
    // it exact, goes to `out.exact()`.
    let out = &mut Inert::new(std::io::stdout().lock());
    if let Command::Import {
        file,
        period,
        replace,
        dry_run,
        verbose,
    } = command
    {
        // The report is read before the database is opened: a dry run never touches it.
        let how = ImportHow {
            replace: *replace,
            dry_run: *dry_run,
            verbose: *verbose,
        };
        return cmd_import(cli, out, file, period.as_deref(), how);
    }
    // Not closed at the end: the process exits right after a command, every write was
    // flushed when it was acknowledged, and tearing down sled's caches costs more than a
    // listing of the sample (the whole process is measured against `task list`).
    let ledger = std::mem::ManuallyDrop::new(open_session(cli)?);
    match command {
        Command::Import { .. } => {
            unreachable!("imported above, without opening the database first")
        }
        Command::List {
            domain,
            status,
            unit,
            json,
        } => {
            ensure_tasks(&ledger)?;
            let tasks = filter_tasks(ledger.all_tasks()?, *domain, *status, unit.as_deref());
            if *json {
                let history = ledger.all_history(None)?;
                print_json_tasks(out.exact()?, &tasks, &history)
            } else {
                print_list(out, &tasks, terminal_width())
            }
        }
        Command::Search { query, json, limit } => {
            ensure_tasks(&ledger)?;
            let tasks = ledger.all_tasks()?;
            let index = crate::search::Index::build(&tasks);
            let never = std::sync::atomic::AtomicBool::new(false);
            let results = index
                .search(&crate::search::Query::parse(query), &never)
                .context(t("搜索被取消", "the search was cancelled"))?;
            let doc = crate::search::results_json(query, &results, &tasks, *limit);
            if *json {
                writeln!(out.exact()?, "{}", serde_json::to_string_pretty(&doc)?)?;
                return Ok(());
            }
            let items = doc["results"].as_array().cloned().unwrap_or_default();
            if items.is_empty() {
                writeln!(
                    out,
                    "{}",
                    tr!("没有任务匹配“{}”", "no task matches “{}”", clean(query))
                )?;
                if !results.suggestions.is_empty() {
                    writeln!(
                        out,
                        "{}",
                        tr!(
                            "相近的单位名称：{}",
                            "nearest unit names: {}",
                            clean(&results.suggestions.join("、"))
                        )
                    )?;
                }
            }
            // number(4) glyph+label(10) goal(rest) units(≤30) [field]
            let width = terminal_width();
            let units_w = 30usize.min(width * 3 / 10);
            let goal_w = width
                .saturating_sub(4 + 1 + 10 + 2 + 2 + units_w + 12)
                .max(10);
            for r in &items {
                let number = r["number"].as_u64().unwrap_or(0) as u32;
                if let Some(t) = tasks.iter().find(|t| t.number == number) {
                    let field = r["field"].as_str().unwrap_or("");
                    let lead = crate::units::written(&t.lead_units);
                    // A hit on a co-operating unit names it too, whole: the lead units
                    // give way.
                    let units = match r["text"].as_str().filter(|u| {
                        field == "unit"
                            && !t
                                .lead_units
                                .iter()
                                .any(|l| l.written == *u || l.canonical == *u)
                    }) {
                        Some(u) => {
                            let co = format!("(配合:{})", clean(u));
                            let room = units_w.saturating_sub(crate::text::width(&co));
                            format!("{}{co}", truncate(&lead, room))
                        }
                        None => lead,
                    };
                    writeln!(
                        out,
                        "{:>4} {} {}  {}  {}  [{}]",
                        t.number,
                        t.status.glyph(),
                        pad(t.status.label(), 8),
                        pad(&t.goal, goal_w),
                        pad(&units, units_w),
                        field_word(field)
                    )?;
                }
            }
            writeln!(
                out,
                "{}",
                tr!(
                    "共 {} 条结果，显示 {} 条",
                    "{1} of {0} results",
                    results.hits.len(),
                    items.len()
                )
            )?;
            Ok(())
        }
        Command::Show { number, json } => {
            ensure_tasks(&ledger)?;
            let task = ledger.task(*number)?;
            let history = ledger.all_history(Some(*number))?;
            if *json {
                let refs: Vec<&Event> = history.iter().collect();
                writeln!(
                    out.exact()?,
                    "{}",
                    serde_json::to_string_pretty(&export::TaskJson::new(&task, &refs))?
                )?;
                Ok(())
            } else {
                print_task(out, &task, &history)
            }
        }
        Command::Set {
            number,
            status,
            note,
        } => {
            ensure_tasks(&ledger)?;
            let e = ledger
                .call(Op::set_status(*number, *status, note.as_deref()))?
                .into_event()?;
            writeln!(out, "{}", describe_event(&e))?;
            Ok(())
        }
        Command::Note {
            number,
            text,
            edit,
            remove,
        } => {
            ensure_tasks(&ledger)?;
            let text = text.as_deref().unwrap_or_default();
            let op = match (edit, remove) {
                (_, Some(k)) => Op::remove_note(*number, *k),
                (Some(k), None) => Op::edit_note(*number, *k, text),
                (None, None) => Op::add_note(*number, text),
            };
            let e = ledger.call(op)?.into_event()?;
            writeln!(out, "{}", describe_event(&e))?;
            Ok(())
        }
        Command::Move { number, domain } => {
            ensure_tasks(&ledger)?;
            let op = Op::MoveTask {
                number: *number,
                domain: *domain,
            };
            let e = ledger.call(op)?.into_event()?;
            writeln!(out, "{}", describe_event(&e))?;
            Ok(())
        }
        Command::Goal { number, text } => {
            ensure_tasks(&ledger)?;
            let e = ledger.call(Op::edit_goal(*number, text))?.into_event()?;
            writeln!(out, "{}", describe_event(&e))?;
            Ok(())
        }
        Command::Undo { number } => {
            ensure_tasks(&ledger)?;
            let last = match number {
                Some(n) => last_edit(&ledger.all_history(Some(*n))?, None).with_context(|| {
                    format!("任务 {n} 没有可撤销的修改(状态、备注、目标、领域)")
                })?,
                None => {
                    let user = ledger.user();
                    last_edit(&ledger.all_history(None)?, Some(&user)).with_context(|| {
                        format!(
                            "{} 还没有可撤销的修改(状态、备注、目标、领域)",
                            clean(&user)
                        )
                    })?
                }
            };
            let e = ledger.call(Op::Undo { seq: last })?.into_event()?;
            writeln!(out, "{}", describe_event(&e))?;
            Ok(())
        }
        Command::Units {
            lagging: true,
            json,
            ascii,
        } => {
            ensure_tasks(&ledger)?;
            let units = crate::suggest::lagging_units(&ledger.all_tasks()?, false);
            if *json {
                writeln!(out.exact()?, "{}", serde_json::to_string_pretty(&units)?)?;
            } else {
                write!(
                    out,
                    "{}",
                    crate::suggest::format_lagging(&units, *ascii || cli.ascii)
                )?;
            }
            Ok(())
        }
        Command::Suggest { json } => {
            ensure_tasks(&ledger)?;
            let tasks = ledger.all_tasks()?;
            let suggestions =
                crate::suggest::suggestions(&tasks, &crate::suggest::Schedule::builtin());
            if *json {
                writeln!(
                    out.exact()?,
                    "{}",
                    serde_json::to_string_pretty(&suggestions)?
                )?;
                return Ok(());
            }
            for (n, sg) in &suggestions {
                let current = tasks.iter().find(|t| t.number == *n).map(|t| t.status);
                writeln!(
                    out,
                    "{:>4}  {} {} → {} {}  {}{}",
                    n,
                    current.map(Status::glyph).unwrap_or(""),
                    current.map(Status::label).unwrap_or(""),
                    sg.status.glyph(),
                    sg.status.label(),
                    sg.why.text(crate::lang::get()),
                    if current == Some(sg.status) {
                        t("  （已是此状态）", "  (already)")
                    } else {
                        ""
                    }
                )?;
            }
            writeln!(
                out,
                "{}",
                tr!(
                    "{} 项任务中有 {} 项有建议状态；`duban accept 序号` 采纳建议",
                    "{1} of {0} tasks have a suggestion; `duban accept N` applies one",
                    tasks.len(),
                    suggestions.len()
                )
            )?;
            Ok(())
        }
        Command::Accept { number } => {
            ensure_tasks(&ledger)?;
            let task = ledger.task(*number)?;
            let suggestion = crate::suggest::suggest_task(&task, &crate::suggest::Schedule::builtin())
                .with_context(|| tr!(
                    "任务 {number} 没有建议状态：最新进展没有完成数字，或其报告期没有已知的序时进度",
                    "task {number} has no suggested status: its latest progress names no completion figure, or its period has no known 序时进度"
                ))?;
            let e = ledger.call(suggestion.accept(*number))?.into_event()?;
            writeln!(out, "{}", describe_event(&e))?;
            Ok(())
        }
        Command::Units {
            lagging: false,
            json,
            ascii: _,
        } => {
            ensure_tasks(&ledger)?;
            let units = unit_summaries(&ledger.all_tasks()?);
            if *json {
                writeln!(out.exact()?, "{}", serde_json::to_string_pretty(&units)?)?;
                Ok(())
            } else {
                print_units(out, &units)
            }
        }
        Command::Period { action } => {
            ensure_tasks(&ledger)?;
            match action {
                PeriodAction::List => {
                    for (name, n) in period_counts(&ledger.all_tasks()?) {
                        writeln!(out, "{}  {}", clean(&name), crate::lang::tasks(n))?;
                    }
                }
                PeriodAction::Rename { old, new } => {
                    let events = ledger.call(Op::rename_period(old, new))?.into_events()?;
                    writeln!(
                        out,
                        "{}",
                        tr!(
                            "已在 {2} 项任务中把报告期 {0} 改名为 {1}",
                            "renamed period {} → {} in {} tasks",
                            clean(old),
                            clean(new.trim()),
                            events.len()
                        )
                    )?;
                }
            }
            Ok(())
        }
        Command::History { number, json } => {
            ensure_tasks(&ledger)?;
            let history = ledger.all_history(*number)?;
            if *json {
                let h: Vec<_> = history
                    .iter()
                    .map(export::HistoryJson::from_event)
                    .collect();
                writeln!(out.exact()?, "{}", serde_json::to_string_pretty(&h)?)?;
            } else {
                for e in &history {
                    writeln!(out, "{}", describe_event(e))?;
                }
                if history.is_empty() {
                    writeln!(out, "{}", t("还没有历史记录", "no history yet"))?;
                }
            }
            Ok(())
        }
        Command::Export {
            format,
            period,
            output,
        } => {
            ensure_tasks(&ledger)?;
            let tasks = ledger.all_tasks()?;
            let period = period.as_deref();
            if let Some(p) = period {
                if !tasks.iter().any(|t| t.periods.iter().any(|x| x.name == p)) {
                    anyhow::bail!(tr!(
                        "没有任务有名为 {p} 的报告期；`duban period list` 列出各报告期",
                        "no task has a period named {p}; `duban period list` shows the periods"
                    ));
                }
            }
            let bytes = match format {
                Format::Json => {
                    if period.is_some() {
                        anyhow::bail!(t(
                            "--period 只用于 csv、md 和 xlsx；JSON 导出包含所有报告期",
                            "--period is for csv, md and xlsx; the JSON export holds every period"
                        ));
                    }
                    (export::to_json(&tasks, &ledger.all_history(None)?) + "\n").into_bytes()
                }
                // Made inert wherever they go: a `cat` of the file is a terminal too. Their
                // text is for reading; the exact text is in the JSON.
                Format::Csv => inert_text(export::to_csv(&tasks, period)),
                Format::Md => inert_text(crate::xlsx::markdown_tongbao(&tasks, period)),
                Format::Xlsx => {
                    if output.is_none() {
                        anyhow::bail!(t(
                            "xlsx 是二进制文件：请用 --output 文件.xlsx 指定输出文件",
                            "xlsx is a binary file: give --output FILE.xlsx"
                        ));
                    }
                    crate::xlsx::tongbao_bytes(&tasks, period)
                        .context(t("无法生成 xlsx 工作簿", "cannot build the xlsx workbook"))?
                }
            };
            match output {
                Some(path) => {
                    // The old file is replaced only once the new one is whole.
                    crate::atomic::write(path, &bytes)
                        .with_context(|| tr!("无法写入 {}", "cannot write {}", path.display()))?;
                    say(format_args!(
                        "{}",
                        tr!(
                            "duban: 已把 {} 项任务写入 {}",
                            "duban: wrote {} tasks to {}",
                            tasks.len(),
                            path.display()
                        )
                    ));
                }
                None if *format == Format::Json => out.exact()?.write_all(&bytes)?,
                None => out.write_all(&bytes)?,
            }
            Ok(())
        }
        Command::Serve { .. } | Command::Admin { .. } => {
            unreachable!("served above, without opening the ledger")
        }
        Command::Backup { dir } => cmd_backup(&ledger, out, dir),
        Command::Restore { file, force } => cmd_restore(&ledger, out, file, *force),
    }
}

/// The sequence number of the newest edit `duban undo` reverts in `history` (by `user`
/// when given): a status, note, goal or domain edit, an undo included (so that undoing
/// twice puts the edit back).
pub fn last_edit(history: &[Event], user: Option<&str>) -> Option<u64> {
    history
        .iter()
        .rev()
        .filter(|e| user.is_none_or(|u| e.user == u))
        .find(|e| e.change.is_undoable())
        .map(|e| e.seq)
}

/// How `duban import` runs: `--replace`, `--dry-run`, `--verbose`.
#[derive(Debug, Clone, Copy)]
pub struct ImportHow {
    pub replace: bool,
    pub dry_run: bool,
    pub verbose: bool,
}

/// How many examples a summary gives of each kind of row (all of them with `--verbose`).
const EXAMPLES: usize = 3;

fn cmd_import(
    cli: &Cli,
    out: &mut impl Write,
    file: &std::path::Path,
    period: Option<&str>,
    how: ImportHow,
) -> Result<()> {
    use crate::import::preview;
    // Read (and refused if it is no report file) before the database is opened.
    let bytes = import::limits::read_report_file(file)?;
    let source = file.display().to_string();
    if how.dry_run {
        let report = import::import_bytes(&bytes, &source, &Aliases::builtin())?;
        let facts = crate::ledger::ReportFacts::of(&report, period);
        print_report_facts(out, file, &facts, how.verbose)?;
        print_preview(out, &preview::rows(&report), terminal_width())?;
        if let Some(a) = &facts.advice {
            writeln!(out, "{}: {}", file.display(), clean(a))?;
        }
        writeln!(
            out,
            "{}",
            t("试读：未写入任何内容", "dry run: nothing was written")
        )?;
        return Ok(());
    }
    let session = open_session(cli)?;
    // The ledger reads the report and matches its rows to the tasks already there (on the
    // server, when one runs): what is printed below is what it did.
    let summary = session
        .call(Op::import(bytes, &source, period, how.replace))?
        .into_imported()?;
    let facts = &summary.report;
    print_report_facts(out, file, facts, how.verbose)?;
    let conflicts = summary.matching.conflicts().count();
    writeln!(
        out,
        "{}",
        tr!(
            "已导入 {} 项任务，报告期 {}：新增 {} 项，更新 {} 项{}{}；{} 行无法归位",
            "imported {} tasks as period {}: {} new, {} updated{}{}; {} line(s) not placed",
            summary.added.len() + summary.updated.len(),
            clean(&summary.period),
            summary.added.len(),
            summary.updated.len(),
            match conflicts {
                0 => String::new(),
                n => tr!(
                    "；{n} 行与已有任务冲突，未合并",
                    "; {n} rows conflict with existing tasks and were left out"
                ),
            },
            match summary.absent.len() {
                0 => String::new(),
                n => tr!(
                    "；数据库中有 {n} 项任务未出现在本报告中，保持原样",
                    "; {n} tasks in the database are not in this report and were kept"
                ),
            },
            facts.unplaced.len(),
        )
    )?;
    // Each kind of row a person should look at: a count and a few examples, every one with
    // --verbose (an import of 1,500 rows is not 1,500 lines).
    let limit = if how.verbose { usize::MAX } else { EXAMPLES };
    let m = &summary.matching;
    let groups: [(String, Vec<String>); 4] = [
        (
            tr!(
                "改号 {} 项（报告中的序号不同，但目标是已有任务的）",
                "{} rows renumbered (another number in the report, but an existing task's goal)",
                m.renumbered().count()
            ),
            m.renumbered()
                .map(crate::periods::RowMatch::describe)
                .collect(),
        ),
        (
            tr!(
                "新增 {} 项（没有已有任务的目标与之相符）",
                "{} new tasks (no existing goal matches)",
                m.new_rows().count()
            ),
            m.new_rows()
                .map(crate::periods::RowMatch::describe)
                .collect(),
        ),
        (
            tr!(
                "冲突 {} 行，未合并（序号与已有任务相同，目标不同）",
                "{} rows not merged (an existing task's number with a different goal)",
                conflicts
            ),
            m.conflicts()
                .map(crate::periods::RowMatch::describe)
                .collect(),
        ),
        (
            tr!(
                "未出现在本报告中、保持原样的任务 {} 项",
                "{} tasks not in this report, kept as they were",
                summary.absent.len()
            ),
            if summary.absent.is_empty() {
                Vec::new()
            } else {
                let numbers: Vec<String> = summary.absent.iter().map(|n| format!("#{n}")).collect();
                let shown = if how.verbose {
                    crate::lang::join(&numbers)
                } else {
                    crate::lang::some_of(&numbers, 10)
                };
                vec![shown]
            },
        ),
    ];
    let mut cut = false;
    for (head, items) in groups.iter().filter(|(_, items)| !items.is_empty()) {
        writeln!(out, "{head}")?;
        for item in items.iter().take(limit) {
            writeln!(out, "  {}", clean(item))?;
        }
        if items.len() > limit {
            writeln!(
                out,
                "  {}",
                tr!("……另有 {} 项", "… and {} more", items.len() - limit)
            )?;
            cut = true;
        }
    }
    if cut || (!how.verbose && summary.absent.len() > 10) {
        writeln!(
            out,
            "{}",
            t("加 --verbose 列出全部。", "Add --verbose to list them all.")
        )?;
    }
    if conflicts * 2 > facts.rows {
        writeln!(
            out,
            "{}",
            t(
                "本报告大多数行的序号属于其他任务：如果这是新一年的任务清单，请加 --replace 导入（历史保留）",
                "most rows of this report have the numbers of other tasks: if it is a new year's list of tasks, import it with --replace (the history is kept)"
            )
        )?;
    }
    if summary.replaced_sample {
        writeln!(
            out,
            "{}",
            t(
                "数据库中原来只有内置示例，已由本报告替换（示例的历史保留）",
                "the database held only the built-in sample; this report replaced it (the sample's history is kept)"
            )
        )?;
    }
    if let Some(a) = &facts.advice {
        writeln!(out, "{}: {}", file.display(), clean(a))?;
    }
    Ok(())
}

/// What reading the report found: the headline, lines not placed, rows worth a look (a
/// few of each unless `verbose`).
fn print_report_facts(
    out: &mut impl Write,
    file: &std::path::Path,
    facts: &crate::ledger::ReportFacts,
    verbose: bool,
) -> Result<()> {
    let limit = if verbose { usize::MAX } else { 10 };
    writeln!(out, "{}", clean(&facts.headline))?;
    for u in facts.unplaced.iter().take(limit) {
        writeln!(
            out,
            "{}",
            tr!(
                "{}:{}: 无法归位（{}）：{}",
                "{}:{}: not placed ({}): {}",
                file.display(),
                u.line,
                clean(&u.reason),
                clean(&u.text)
            )
        )?;
    }
    if facts.unplaced.len() > limit {
        writeln!(
            out,
            "{}",
            tr!(
                "……另有 {} 行无法归位（加 --verbose 列出全部）",
                "… and {} more lines not placed (--verbose lists them all)",
                facts.unplaced.len() - limit
            )
        )?;
    }
    for w in facts.warnings.iter().take(limit) {
        let text = if w.text.is_empty() {
            String::new()
        } else {
            format!("{}{}", t("：", ": "), clean(&w.text))
        };
        writeln!(
            out,
            "{}",
            tr!(
                "{}:{}: 请留意：{}{text}",
                "{}:{}: note: {}{text}",
                file.display(),
                w.line,
                clean(&w.reason),
            )
        )?;
    }
    if facts.warnings.len() > limit {
        writeln!(
            out,
            "{}",
            tr!(
                "……另有 {} 行需留意（加 --verbose 列出全部）",
                "… and {} more rows worth a look (--verbose lists them all)",
                facts.warnings.len() - limit
            )
        )?;
    }
    Ok(())
}

/// The rows an import would bring, one line each: number, goal, the first words of the
/// progress, lead units, co units, cut to the terminal's width.
fn print_preview(
    out: &mut impl Write,
    rows: &[import::preview::PreviewRow],
    width: usize,
) -> Result<()> {
    let width = width.max(60);
    let rest = width - 6 - 4;
    let goal_w = rest * 3 / 10;
    let progress_w = rest * 3 / 10;
    let lead_w = rest * 2 / 10;
    let co_w = rest - goal_w - progress_w - lead_w;
    writeln!(
        out,
        "  序号 {} {} {} {}",
        pad("目标与任务", goal_w),
        pad("工作进展", progress_w),
        pad("牵头单位", lead_w),
        truncate("责任单位", co_w)
    )?;
    for r in rows {
        let progress = match r.paragraphs {
            0 | 1 => r.progress.clone(),
            n => format!("({n}段) {}", r.progress),
        };
        writeln!(
            out,
            "{:>6} {} {} {} {}",
            r.number,
            pad(&clean(&r.goal), goal_w),
            pad(&clean(&progress), progress_w),
            pad(&clean(&r.lead), lead_w),
            truncate(&clean(&r.co), co_w)
        )?;
    }
    Ok(())
}

/// The field a search hit was found in, as a reader calls it (`goal` → 目标).
fn field_word(field: &str) -> &str {
    match (crate::lang::get(), field) {
        (Lang::En, f) => f,
        (_, "number") => "序号",
        (_, "goal") => "目标",
        (_, "unit") => "单位",
        (_, "note") => "备注",
        (_, "progress") => "进展",
        (_, "status") => "状态",
        (_, "domain") => "领域",
        (_, f) => f,
    }
}

/// Report text as the terminal may show it: control characters as blanks.
fn clean(text: &str) -> String {
    crate::text::clean(text)
}

/// Each period name with how many tasks have it, in the order periods first appear (tasks
/// keep their periods oldest first).
fn period_counts(tasks: &[Task]) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for p in tasks.iter().flat_map(|t| &t.periods) {
        match out.iter_mut().find(|(n, _)| *n == p.name) {
            Some((_, count)) => *count += 1,
            None => out.push((p.name.clone(), 1)),
        }
    }
    out
}

pub fn filter_tasks(
    tasks: Vec<Task>,
    domain: Option<Domain>,
    status: Option<Status>,
    unit: Option<&str>,
) -> Vec<Task> {
    let unit = unit.map(crate::import::units::normalize);
    tasks
        .into_iter()
        .filter(|t| domain.is_none_or(|d| t.domain == d))
        .filter(|t| status.is_none_or(|s| t.status == s))
        .filter(|t| {
            unit.as_deref().is_none_or(|u| {
                t.lead_units.iter().chain(&t.co_units).any(|x| {
                    x.canonical.contains(u)
                        || crate::import::units::normalize(&x.written).contains(u)
                })
            })
        })
        .collect()
}

fn print_json_tasks(out: &mut impl Write, tasks: &[Task], history: &[Event]) -> Result<()> {
    let v: serde_json::Value = serde_json::from_str(&export::to_json(tasks, history))?;
    writeln!(out, "{}", serde_json::to_string_pretty(&v["tasks"])?)?;
    Ok(())
}

fn terminal_width() -> usize {
    use std::io::IsTerminal;
    // Not a terminal (a pipe, a file): crossterm would ask `tput` in a subprocess, which
    // costs more than the whole listing; `COLUMNS` or 100 will do.
    let width = if std::io::stdout().is_terminal() {
        crossterm::terminal::size().map(|(w, _)| w as usize).ok()
    } else {
        std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok())
    };
    width.filter(|w| *w >= 40).unwrap_or(100)
}

/// Cuts `text` to at most `width` display columns, marking a cut with `…`.
pub fn truncate(text: &str, width: usize) -> String {
    crate::text::truncate(&clean(text), width, "…")
}

fn pad(text: &str, width: usize) -> String {
    crate::text::fit(&clean(text), width, "…")
}

fn print_list(out: &mut impl Write, tasks: &[Task], width: usize) -> Result<()> {
    if tasks.is_empty() {
        writeln!(out, "{}", t("没有符合条件的任务", "no tasks match"))?;
        return Ok(());
    }
    // number(4) glyph+label(12) goal(rest) lead(20)
    let lead_w = 20usize.min(width / 4);
    let goal_w = width.saturating_sub(4 + 1 + 12 + 2 + lead_w).max(10);
    for d in Domain::ALL {
        let in_domain: Vec<&Task> = tasks.iter().filter(|t| t.domain == d).collect();
        if in_domain.is_empty() {
            continue;
        }
        writeln!(
            out,
            "{} {} ({})",
            d.label(),
            d.id(),
            crate::lang::tasks(in_domain.len())
        )?;
        for t in in_domain {
            let lead = t
                .lead_units
                .first()
                .map(|u| u.written.as_str())
                .unwrap_or("");
            let more = if t.lead_units.len() > 1 { "等" } else { "" };
            writeln!(
                out,
                "{:>4} {} {}  {}  {}",
                t.number,
                t.status.glyph(),
                pad(t.status.label(), 10),
                pad(&t.goal, goal_w),
                truncate(&format!("{lead}{more}"), lead_w)
            )?;
        }
        writeln!(out)?;
    }
    writeln!(out, "{}", tr!("共 {} 项任务", "{} tasks", tasks.len()))?;
    Ok(())
}

fn print_task(out: &mut impl Write, t: &Task, history: &[Event]) -> Result<()> {
    writeln!(
        out,
        "任务 {}  {} {} ({})",
        t.number,
        t.status.glyph(),
        t.status.label(),
        t.status.id()
    )?;
    writeln!(
        out,
        "{}",
        tr!(
            "领域 {} {} — 规则 {}：{}",
            "领域 {} {} — rule {}: {}",
            t.domain.label(),
            t.domain.id(),
            clean(&t.domain_decision.rule),
            clean(&t.domain_decision.reason)
        )
    )?;
    // Everything that came from a report or a person is cleaned of control characters.
    if let Some(s) = &t.section {
        writeln!(out, "章节 {}", clean(s))?;
    }
    writeln!(out, "\n目标与任务\n  {}", clean(&t.goal))?;
    for p in t.periods.iter().rev() {
        writeln!(out, "\n工作进展 {}", clean(&p.name))?;
        for para in &p.paragraphs {
            writeln!(out, "  {}", clean(para))?;
        }
    }

    writeln!(
        out,
        "\n牵头责任单位 {}",
        crate::units::with_canonical(&t.lead_units)
    )?;
    writeln!(
        out,
        "责任单位     {}",
        crate::units::with_canonical(&t.co_units)
    )?;
    if !t.notes.is_empty() {
        writeln!(out, "\n备注")?;
        for (i, n) in t.notes.iter().enumerate() {
            writeln!(
                out,
                "  {}. {} {}: {}",
                i + 1,
                local_time(&n.at),
                clean(&n.user),
                clean(&n.text)
            )?;
        }
    }
    writeln!(out, "\n历史")?;
    for e in history {
        writeln!(out, "  {}", describe_event(e))?;
    }
    Ok(())
}

pub fn local_time(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&chrono::Local)
        .format("%Y-%m-%d %H:%M:%S %:z")
        .to_string()
}

/// One line saying who did what to which task, when.
pub fn describe_event(e: &Event) -> String {
    format!("{}  {}", local_time(&e.at), crate::words::who_did(e, "→"))
}

fn print_units(out: &mut impl Write, units: &[UnitSummary]) -> Result<()> {
    writeln!(
        out,
        "{}  {}  {}   {} {} {} {} {}",
        pad(t("责任单位", "unit 单位"), 30),
        t("牵头", "lead"),
        t("配合", "co"),
        Status::SeriouslyBehind.glyph(),
        Status::Behind.glyph(),
        Status::OnTrack.glyph(),
        Status::NotStarted.glyph(),
        Status::Done.glyph()
    )?;
    for u in units {
        writeln!(
            out,
            "{}  {:>4} {:>3}   {} {} {} {} {}",
            pad(&u.unit, 30),
            u.lead,
            u.co,
            u.lead_seriously_behind,
            u.lead_behind,
            u.lead_on_track,
            u.lead_not_started,
            u.lead_done
        )?;
    }
    writeln!(
        out,
        "{}",
        tr!(
            "共 {} 个单位；牵头/配合之后各列为牵头任务中{}、{}、{}、{}、{}的项数",
            "{} units; columns after lead/co count lead tasks that are {} {} {} {} {}",
            units.len(),
            Status::SeriouslyBehind.label(),
            Status::Behind.label(),
            Status::OnTrack.label(),
            Status::NotStarted.label(),
            Status::Done.label()
        )
    )?;
    Ok(())
}

/// Without a subcommand: the terminal UI, on the sample if the database is empty. The UI
/// joins the database's server, starting one for everybody when none runs, so the people
/// on it see each other's edits live.
pub fn run_ui(cli: &Cli) -> Result<()> {
    // Before a database is opened or a server started for a screen that cannot be drawn.
    if let Some(why) = crate::ui::terminal::check() {
        anyhow::bail!(why);
    }
    let path = cli.db.clone().unwrap_or_else(crate::paths::default_db);
    let session = crate::server::session::open_shared(&path, None)?;
    // Short enough for 80 columns: the path is in `duban --help`, the import in the README.
    let startup_message = session.ensure_sample()?.map(|s| {
        format!(
            "数据库是空的：已载入示例（{} 项任务，{}）",
            s.added.len(),
            s.period
        )
    });
    crate::ui::run(
        session,
        crate::ui::UiOptions {
            keymap: cli.keymap.clone(),
            ascii: cli.ascii,
            mouse: cli.mouse,
            startup_message,
        },
    )
}

/// `duban backup DIR`: reads the database a page at a time through the session (a server's
/// when one serves it), consistent or not written at all.
fn cmd_backup(session: &Session, out: &mut impl Write, dir: &std::path::Path) -> Result<()> {
    use crate::server::snapshot;
    let taken = snapshot::take(|op| session.call(op))?;
    let name = snapshot::backup_name(chrono::Utc::now());
    let path = snapshot::write_file(dir, &name, &taken.json)?;
    writeln!(
        out,
        "{}",
        tr!(
            "已把 {2} 的 {0} 项任务和 {1} 条历史事件备份到 {3}",
            "backed up {} tasks and {} history events of {} to {}",
            taken.tasks,
            taken.events,
            session.db().display(),
            path.display()
        )
    )?;
    Ok(())
}

/// `duban restore FILE`: only into a database this process opened itself (a server's
/// ledger refuses `Op::Restore` too).
fn cmd_restore(
    session: &Session,
    out: &mut impl Write,
    file: &std::path::Path,
    force: bool,
) -> Result<()> {
    use crate::server::snapshot;
    if session.is_shared() {
        anyhow::bail!(tr!(
            "{} 正由服务器提供给他人使用；备份只能恢复到无人使用的数据库。请用 --db 新路径 恢复到新数据库，或先停止服务器。",
            "a server serves {}; a backup is restored only into a database no one is using. Restore into a new database with --db NEW, or stop the server first.",
            session.db().display()
        ));
    }
    let meta = std::fs::metadata(file)
        .with_context(|| tr!("无法读取 {}", "cannot read {}", file.display()))?;
    if !meta.is_file() {
        anyhow::bail!(tr!(
            "{} 不是普通文件",
            "{} is not a regular file",
            file.display()
        ));
    }
    let bytes = std::fs::read(file)
        .with_context(|| tr!("无法读取 {}", "cannot read {}", file.display()))?;
    let backup = snapshot::parse(file, &bytes)?;
    drop(bytes);
    let (tasks, events) = session
        .call(Op::Restore {
            tasks: backup.tasks,
            events: backup.events,
            force,
        })?
        .into_restored()?;
    writeln!(
        out,
        "{}",
        tr!(
            "已从 {0} 恢复 {tasks} 项任务和 {events} 条历史事件到 {1}（事件按原顺序重新编号）",
            "restored {tasks} tasks and {events} history events from {} into {} (events numbered anew, in order)",
            file.display(),
            session.db().display()
        )
    )?;
    Ok(())
}
