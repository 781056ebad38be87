//! The web page: one self-contained, offline file.
//!
//! maud writes the markup: it is checked at compile time and every `(value)` is escaped, so
//! text from the user or the model cannot become markup. The page is written in fragments,
//! one after another, so each image streams into it between two of them — read, checked,
//! base64-encoded in pieces — and only one image is ever held. Clicking an image shows it at
//! full size with CSS alone (a checkbox per image); the page has no script, and its content
//! security policy forbids any request but for its own images.

use std::io::Write;
use std::path::Path;

use maud::{Markup, PreEscaped, html};

use super::files::{self, ImagesFolder, OutputFile};
use super::outcome::{ExportError, Exported};
use super::story::{
    Exchange, Label, Story, Thread, human_date, settings_words, source_title, web_link,
};
use crate::conversation::Blob;
use crate::conversation::explain::explain;
use crate::conversation::thoughts::heading;

const CSP: &str = "default-src 'none'; img-src data: file: 'self'; style-src 'unsafe-inline'; \
base-uri 'none'; form-action 'none'";

const CSS: &str = include_str!("page.css");

pub fn export(story: &Story<'_>, out: &Path, beside: bool) -> Result<Exported, ExportError> {
    let session_dir = &story.session.dir;
    let mut file = OutputFile::create(out, session_dir)?;
    let mut folder = match beside {
        true => Some(ImagesFolder::beside(out, session_dir)?),
        false => None,
    };
    let mut page = Page {
        out,
        writer: file.writer(),
        folder: folder.as_mut(),
        problems: Vec::new(),
        images: 0,
    };
    page.story(story)?;
    let (problems, images) = (page.problems, page.images);
    let file = file.commit()?;
    Ok(Exported {
        file,
        images_dir: folder
            .filter(|f| f.written() > 0)
            .map(|f| f.dir().to_path_buf()),
        images,
        problems,
    })
}

struct Page<'a, W: Write> {
    out: &'a Path,
    writer: &'a mut W,
    folder: Option<&'a mut ImagesFolder>,
    problems: Vec<String>,
    images: usize,
}

impl<W: Write> Page<'_, W> {
    fn put(&mut self, text: &str) -> Result<(), ExportError> {
        self.writer
            .write_all(text.as_bytes())
            .map_err(files::write_error(self.out))
    }

    fn markup(&mut self, markup: Markup) -> Result<(), ExportError> {
        self.put(&markup.into_string())
    }

    fn story(&mut self, story: &Story<'_>) -> Result<(), ExportError> {
        let session = story.session;
        let mut turns = 0;
        story.thread.walk(&mut |_| turns += 1);
        let versions = story.versions().len();
        self.put("<!DOCTYPE html>\n<html lang=\"en\">\n")?;
        self.markup(html! {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light dark";
                meta http-equiv="Content-Security-Policy" content=(CSP);
                meta name="generator" content=(concat!("banana-studio ", env!("CARGO_PKG_VERSION")));
                title { (story.title) }
                style { (PreEscaped(CSS)) }
            }
        })?;
        self.put("\n<body>\n")?;
        self.markup(html! {
            header.story {
                h1 { (story.title) }
                p.meta {
                    span { "Session " code { (session.name) } }
                    span { "Model " (story.models.join(", ")) }
                    span { "Created " time datetime=(session.created_at) { (human_date(&session.created_at)) } }
                    span { "Saved " time datetime=(session.updated_at) { (human_date(&session.updated_at)) } }
                    span { (turns) " prompts, " (versions) " versions" }
                }
            }
        })?;
        self.put("\n<main>\n")?;
        self.thread(&story.thread)?;
        self.put("</main>\n")?;
        self.markup(html! {
            footer {
                "Exported by banana-studio " (env!("CARGO_PKG_VERSION"))
                ". This page makes no requests: open it offline, click an image to see it at full size."
            }
        })?;
        self.put("\n</body>\n</html>\n")
    }

    fn thread(&mut self, thread: &Thread<'_>) -> Result<(), ExportError> {
        for exchange in &thread.exchanges {
            self.exchange(exchange)?;
        }
        if thread.branches.is_empty() {
            return Ok(());
        }
        self.put("<div class=\"branches\">\n")?;
        let count = thread.branches.len();
        for (index, branch) in thread.branches.iter().enumerate() {
            self.put(if branch.active {
                "<details class=\"branch active\" open>"
            } else {
                "<details class=\"branch\">"
            })?;
            let first = branch.thread.exchanges.first();
            let start = first.map(|e| e.user.prompt()).unwrap_or_default();
            let start: String = start
                .lines()
                .next()
                .unwrap_or_default()
                .chars()
                .take(80)
                .collect();
            self.markup(html! {
                summary {
                    "Branch " (index + 1) " of " (count)
                    @if branch.active { " · active path" }
                    @if let Some(exchange) = first { " · turn " (exchange.prompt.id) }
                    ": " q { (start) }
                }
            })?;
            self.thread(&branch.thread)?;
            self.put("</details>\n")?;
        }
        self.put("</div>\n")
    }

    fn exchange(&mut self, exchange: &Exchange<'_>) -> Result<(), ExportError> {
        let prompt = exchange.prompt;
        let user = exchange.user;
        self.put(&format!(
            "<article class=\"exchange\" id=\"turn-{}\">\n<section class=\"prompt\">",
            prompt.id
        ))?;
        self.markup(html! {
            header.who {
                span.role { "Prompt" }
                a.turn href=(format!("#turn-{}", prompt.id)) { "turn " (prompt.id) }
                time datetime=(prompt.created_at) { (human_date(&prompt.created_at)) }
            }
            p.text { (user.prompt()) }
            ul.settings { @for word in settings_words(user) { li { (word) } } }
            @if let Some(system) = &user.settings.system_instruction {
                details.system { summary { "System instruction" } p.text { (system) } }
            }
        })?;
        let attachments: Vec<(&Blob, Label)> = exchange.attachments().collect();
        if !attachments.is_empty() {
            self.put("<div class=\"attachments\">")?;
            for (blob, label) in &attachments {
                self.image(blob, label)?;
            }
            self.put("</div>")?;
        }
        self.put("</section>\n")?;
        if let Some(reply) = &exchange.reply {
            let model = reply.model;
            let thoughts = model.thoughts();
            let text = model.text();
            self.put("<section class=\"reply\">")?;
            self.markup(html! {
                header.who {
                    span.role { "Reply" }
                    a.turn href=(format!("#turn-{}", prompt.id)) { "turn " (reply.turn.id) }
                    @if let Some(version) = &model.model_version { span.model { (version) } }
                    time datetime=(reply.turn.created_at) { (human_date(&reply.turn.created_at)) }
                }
                @if !thoughts.is_empty() {
                    details.thinking {
                        summary { "Thinking" @if thoughts.len() > 1 { " (" (thoughts.len()) " summaries)" } }
                        @for thought in &thoughts {
                            @match heading(thought) {
                                (Some(title), body) => { p.text { strong { (title) } br; (body) } }
                                (None, body) => { p.text { (body) } }
                            }
                        }
                    }
                }
                @if !text.trim().is_empty() { p.text { (text.trim()) } }
                @if let Some(notice) = explain(model) { p.notice { (notice) } }
            })?;
            for (blob, label) in reply.labelled_versions() {
                self.put("<figure class=\"version\">")?;
                self.image(blob, &label)?;
                self.put("</figure>\n")?;
            }
            let sources = reply.sources();
            self.markup(html! {
                @if !sources.is_empty() {
                    h3.sources-title { "Sources" }
                    ol.sources {
                        @for source in &sources {
                            @let title = source_title(source);
                            li {
                                @match web_link(source) {
                                    Some(uri) => a href=(uri) rel="noreferrer noopener" target="_blank" { (title) },
                                    None => span { (title) },
                                }
                            }
                        }
                    }
                }
            })?;
            self.put("</section>\n")?;
        }
        self.put("</article>\n")
    }

    /// One image: a thumbnail that opens at full size, or a note naming the file that could
    /// not be read.
    fn image(&mut self, blob: &Blob, label: &Label) -> Result<(), ExportError> {
        let bytes = match files::read_image(blob, &label.what, &mut self.problems) {
            Ok(bytes) => bytes,
            Err(problem) => return self.markup(html! { p.missing role="note" { (problem) } }),
        };
        self.put("<label class=\"zoom\"><input type=\"checkbox\" aria-label=\"Show at full size\"><span class=\"frame\"><img src=\"")?;
        match self.folder.as_deref_mut() {
            Some(folder) => {
                let link = folder.store(&label.name, blob, &bytes)?;
                self.markup(html! { (link) })?;
            }
            None => {
                self.put(&format!("data:{};base64,", data_uri_type(blob.mime_type())))?;
                files::write_base64(self.writer, &bytes).map_err(files::write_error(self.out))?;
            }
        }
        let (width, height) = blob.dimensions().unwrap_or((0, 0));
        self.put("\" alt=\"")?;
        self.markup(html! { (label.what) })?;
        self.put("\"")?;
        if width > 0 && height > 0 {
            self.put(&format!(" width=\"{width}\" height=\"{height}\""))?;
        }
        self.put(" decoding=\"async\"></span></label>")?;
        if let Some(caption) = &label.caption {
            self.markup(html! { figcaption { (caption) } })?;
        }
        self.images += 1;
        Ok(())
    }
}

/// The media type for a data URI: the recorded one if it is an image type we write, so a
/// tampered document cannot smuggle markup into the attribute.
fn data_uri_type(mime_type: &str) -> &'static str {
    match mime_type {
        "image/png" => "image/png",
        "image/jpeg" | "image/jpg" => "image/jpeg",
        "image/webp" => "image/webp",
        "image/gif" => "image/gif",
        "image/heic" => "image/heic",
        "image/heif" => "image/heif",
        _ => "application/octet-stream",
    }
}
