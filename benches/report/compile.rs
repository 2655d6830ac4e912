//! typst's own compile of a `.typ` (the `--compile` child), in
//! coala-report's world or in a plain one like `typst compile`'s.

use super::*;

/// typst's compile of `world`'s main file and how long it took; the child
/// exits with the first errors when it fails.
pub(crate) fn compile_or_exit(world: &dyn typst::World) -> (PagedDocument, Duration) {
    let t = Instant::now();
    let warned = typst::compile::<PagedDocument>(world);
    let document = warned.output.unwrap_or_else(|e| {
        eprintln!("typst failed: {:?}", e.iter().take(3).map(|d| d.message.as_str()).collect::<Vec<_>>());
        std::process::exit(1)
    });
    (document, t.elapsed())
}

/// `--compile ROOT MAIN [plain]`: typst's own compile of one file with the
/// embedded fonts, then PDF export; prints pages and timings. MAIN is a file
/// (read into ReportWorld, as coala-report does) or, with `plain`, a path
/// inside ROOT compiled where it lies (Pandoc's output, with relative paths).
pub(crate) fn compile_child(root: &Path, main: &str, mode: Option<&str>) {
    let t = Instant::now();
    let (document, layout) = if mode == Some("plain") {
        compile_or_exit(&PlainWorld::new(root, main))
    } else {
        let root = Root::new(root).expect("root");
        let mut world = ReportWorld::new(&root, Some((2016, 12, 8)));
        world.set_main(&std::fs::read_to_string(main).expect("read the .typ"));
        compile_or_exit(&world)
    };
    let te = Instant::now();
    let bytes = typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default()).expect("pdf export");
    let export = te.elapsed();
    std::fs::write(std::env::temp_dir().join(format!("coala-bench-{}.pdf", std::process::id())), &bytes).ok();
    let _ = std::fs::remove_file(std::env::temp_dir().join(format!("coala-bench-{}.pdf", std::process::id())));
    let mut line = String::new();
    let _ = write!(
        line,
        "{} pages, layout {:.2} s, PDF export {:.2} s, total {:.2} s",
        document.pages().len(),
        secs(layout),
        secs(export),
        secs(t.elapsed())
    );
    println!("{line}");
}

pub(crate) fn fonts() -> &'static FontStore {
    static FONTS: OnceLock<FontStore> = OnceLock::new();
    FONTS.get_or_init(|| {
        let mut store = FontStore::new();
        store.extend(typst_kit::fonts::embedded());
        store
    })
}

pub(crate) struct DirLoader(PathBuf);

impl FileLoader for DirLoader {
    fn load(&self, id: FileId) -> FileResult<Bytes> {
        let path = self.0.join(id.vpath().get_without_slash());
        std::fs::read(&path).map(Bytes::new).map_err(|e| FileError::from_io(e, &path))
    }
}

/// A 1×1 white PNG: stands in for images missing from the corpus (the EIPs'
/// `upload://` one), which would stop typst on Pandoc's output where
/// coala-report draws a placeholder.
pub(crate) const PIXEL_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3a, 0x7e, 0x9b, 0x55, 0x00, 0x00, 0x00, 0x0a, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0x0f, 0x00, 0x01, 0x01, 0x01, 0x00, 0xb1, 0x38, 0xf6, 0x14, 0x00, 0x00,
    0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// A World like `typst compile`'s: files from a folder, the embedded fonts.
pub(crate) struct PlainWorld {
    main: FileId,
    library: LazyHash<Library>,
    files: FileStore<DirLoader>,
    today: Option<Datetime>,
}

impl PlainWorld {
    fn new(root: &Path, main: &str) -> Self {
        let vpath = VirtualPath::new(main).expect("valid virtual path");
        Self {
            main: FileId::new(RootedPath::new(VirtualRoot::Project, vpath)),
            library: LazyHash::new(Library::builder().build()),
            files: FileStore::new(DirLoader(root.to_path_buf())),
            today: Datetime::from_ymd(2016, 12, 8),
        }
    }
}

impl World for PlainWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }
    fn book(&self) -> &LazyHash<FontBook> {
        fonts().book()
    }
    fn main(&self) -> FileId {
        self.main
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        self.files.source(id)
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files.file(id)
    }
    fn font(&self, index: usize) -> Option<Font> {
        fonts().font(index)
    }
    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        self.today
    }
}
