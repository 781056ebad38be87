//! Markdown with the images as files in a folder beside it, linked relatively, so the pair
//! reads well on a code-hosting site. Text from the user or the model is escaped, so it shows
//! as written and never turns into markup or links.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use super::files::{self, ImagesFolder, OutputFile};
use super::outcome::{ExportError, Exported};
use super::story::{
    Exchange, Label, Story, Thread, human_date, settings_words, source_title, web_link,
};
use crate::conversation::Blob;
use crate::conversation::explain::explain;
use crate::conversation::thoughts::heading;

pub fn export(story: &Story<'_>, out: &Path) -> Result<Exported, ExportError> {
    let session_dir = &story.session.dir;
    let mut file = OutputFile::create(out, session_dir)?;
    let mut folder = ImagesFolder::beside(out, session_dir)?;
    let mut document = Document {
        text: String::new(),
        folder: &mut folder,
        problems: Vec::new(),
    };
    document.story(story)?;
    let Document { text, problems, .. } = document;
    file.writer()
        .write_all(text.as_bytes())
        .map_err(files::write_error(out))?;
    let file = file.commit()?;
    Ok(Exported {
        file,
        images: folder.written(),
        images_dir: (folder.written() > 0).then(|| folder.dir().to_path_buf()),
        problems,
    })
}

struct Document<'a> {
    text: String,
    folder: &'a mut ImagesFolder,
    problems: Vec<String>,
}

impl Document<'_> {
    fn story(&mut self, story: &Story<'_>) -> Result<(), ExportError> {
        let session = story.session;
        let t = &mut self.text;
        let _ = writeln!(t, "# {}\n", escape(&story.title));
        let _ = writeln!(t, "- **Session:** `{}`", session.name);
        let _ = writeln!(t, "- **Model:** {}", escape(&story.models.join(", ")));
        let _ = writeln!(t, "- **Created:** {}", human_date(&session.created_at));
        let _ = writeln!(t, "- **Saved:** {}", human_date(&session.updated_at));
        self.thread(&story.thread, "")
    }

    fn thread(&mut self, thread: &Thread<'_>, label: &str) -> Result<(), ExportError> {
        for exchange in &thread.exchanges {
            self.exchange(exchange)?;
        }
        let count = thread.branches.len();
        for (index, branch) in thread.branches.iter().enumerate() {
            let label = format!("{label}{}", index + 1);
            let start = branch
                .thread
                .exchanges
                .first()
                .map(|e| format!(", from turn {}", e.prompt.id))
                .unwrap_or_default();
            let active = if branch.active { " (active path)" } else { "" };
            let _ = writeln!(
                self.text,
                "\n---\n\n**Branch {label} of {count}{active}{start}**"
            );
            self.thread(&branch.thread, &format!("{label}."))?;
        }
        Ok(())
    }

    fn exchange(&mut self, exchange: &Exchange<'_>) -> Result<(), ExportError> {
        let prompt = exchange.prompt;
        let user = exchange.user;
        let t = &mut self.text;
        let _ = writeln!(
            t,
            "\n## Turn {} · {}\n",
            prompt.id,
            human_date(&prompt.created_at)
        );
        for line in user.prompt().lines() {
            let _ = writeln!(t, "> {}", escape(line));
        }
        let _ = writeln!(t, "\n*{}*", escape(&settings_words(user).join(" · ")));
        if let Some(system) = &user.settings.system_instruction {
            let _ = writeln!(
                t,
                "\n<details><summary>System instruction</summary>\n\n{}\n\n</details>",
                escape(system)
            );
        }
        for (blob, label) in exchange.attachments() {
            self.image(blob, &label)?;
        }
        let Some(reply) = &exchange.reply else {
            return Ok(());
        };
        let model = reply.model;
        let t = &mut self.text;
        let version = model
            .model_version
            .as_deref()
            .map(|v| format!(" · {}", escape(v)))
            .unwrap_or_default();
        let _ = writeln!(t, "\n### Reply · turn {}{version}", reply.turn.id);
        let thoughts = model.thoughts();
        if !thoughts.is_empty() {
            let _ = writeln!(t, "\n<details><summary>Thinking</summary>\n");
            for thought in &thoughts {
                // One paragraph each, its heading in bold (escaped, so the model's own
                // asterisks never show).
                match heading(thought) {
                    (Some(title), body) => {
                        let _ = writeln!(t, "**{}**\n\n{}\n", escape(title), escape(body));
                    }
                    (None, body) => {
                        let _ = writeln!(t, "{}\n", escape(body));
                    }
                }
            }
            let _ = writeln!(t, "</details>");
        }
        let text = model.text();
        if !text.trim().is_empty() {
            let _ = writeln!(t, "\n{}", escape(text.trim()));
        }
        if let Some(notice) = explain(model) {
            let _ = writeln!(t, "\n> **Note:** {}", escape(&notice));
        }
        for (blob, label) in reply.labelled_versions() {
            self.image(blob, &label)?;
        }
        let sources = reply.sources();
        if !sources.is_empty() {
            let t = &mut self.text;
            let _ = writeln!(t, "\n**Sources**\n");
            for (index, source) in sources.iter().enumerate() {
                let title = source_title(source);
                let _ = match web_link(source) {
                    Some(uri) => writeln!(t, "{}. [{}](<{}>)", index + 1, escape(title), link(uri)),
                    None => writeln!(t, "{}. {}", index + 1, escape(title)),
                };
            }
        }
        Ok(())
    }

    fn image(&mut self, blob: &Blob, label: &Label) -> Result<(), ExportError> {
        match files::read_image(blob, &label.what, &mut self.problems) {
            Ok(bytes) => {
                let link = self.folder.store(&label.name, blob, &bytes)?;
                let _ = writeln!(self.text, "\n![{}]({link})", escape(&label.what));
                if let Some(caption) = &label.caption {
                    let _ = writeln!(self.text, "\n*{caption}*");
                }
            }
            Err(problem) => {
                let _ = writeln!(self.text, "\n> **Missing image:** {}", escape(&problem));
            }
        }
        Ok(())
    }
}

/// Backslash-escapes the characters that would make text into emphasis, code, links, HTML,
/// tables or headings.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if matches!(
            ch,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '|' | '~' | '#' | '!'
        ) {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// A web address for `<...>` link syntax, which ends at `>` and at a line break.
fn link(uri: &str) -> String {
    uri.replace('<', "%3C")
        .replace('>', "%3E")
        .replace(' ', "%20")
        .replace(['\n', '\r'], "")
}
