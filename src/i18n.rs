//! The words coala-report adds around a report's text ("Contents", "Part",
//! "Abstract", "Figure", "References"...), in the report's language: one
//! table for the PDF (passed to the template as `strings`), the EPUB and
//! the headings generated in the document model. The six UN languages (ar,
//! zh, en, fr, ru, es) and pt, de; any other language gets English.

use crate::doc::{CalloutKind, Part};

/// The strings of one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labels {
    pub contents: &'static str,
    pub notes: &'static str,
    pub abstract_: &'static str,
    pub keywords: &'static str,
    pub part: &'static str,
    pub cover: &'static str,
    pub title_page: &'static str,
    pub start: &'static str,
    pub landmarks: &'static str,
    pub back_to_text: &'static str,
    pub done: &'static str,
    pub not_done: &'static str,
    pub edited_by: &'static str,
    pub with_contributions_by: &'static str,
    pub edition: &'static str,
    pub published_by: &'static str,
    pub and_: &'static str,
    pub image: &'static str,
    pub note: &'static str,
    pub tip: &'static str,
    pub important: &'static str,
    pub warning: &'static str,
    pub caution: &'static str,
    pub figure: &'static str,
    pub table: &'static str,
    pub page: &'static str,
    pub pages: &'static str,
    pub page_abbr: &'static str,
    pub references: &'static str,
    pub glossary: &'static str,
    pub contributors: &'static str,
    pub foreword: &'static str,
    pub authors_and_articles: &'static str,
    pub policy_analysis: &'static str,
    pub session_report: &'static str,
    pub case_study: &'static str,
    pub primer: &'static str,
    pub see_also: &'static str,
    pub session: &'static str,
    pub format: &'static str,
    pub date: &'static str,
    pub time: &'static str,
    pub place: &'static str,
    pub organizers: &'static str,
    pub chair: &'static str,
    pub rapporteur: &'static str,
    pub speakers: &'static str,
    pub key_issues: &'static str,
    pub original_note: &'static str,
}

/// The languages the table has, in the order of `LANGUAGES`.
pub const LANGUAGES: &[&str] = &["en", "es", "fr", "ru", "ar", "zh", "pt", "de"];

const EN: Labels = Labels {
    contents: "Contents",
    notes: "Notes",
    abstract_: "Abstract",
    keywords: "Keywords",
    part: "Part",
    cover: "Cover",
    title_page: "Title page",
    start: "Start of the report",
    landmarks: "Landmarks",
    back_to_text: "Back to the text",
    done: "Done",
    not_done: "Not done",
    edited_by: "Edited by",
    with_contributions_by: "With contributions by",
    edition: "Edition",
    published_by: "Published by",
    and_: "and",
    image: "Image",
    note: "Note",
    tip: "Tip",
    important: "Important",
    warning: "Warning",
    caution: "Caution",
    figure: "Figure",
    table: "Table",
    page: "Page",
    pages: "Pages",
    page_abbr: "p.",
    references: "References",
    glossary: "Glossary",
    contributors: "Contributors",
    foreword: "Foreword",
    authors_and_articles: "Authors and their articles",
    policy_analysis: "Policy analysis",
    session_report: "Session report",
    case_study: "Case study",
    primer: "Primer",
    see_also: "See also",
    session: "Session",
    format: "Format",
    date: "Date",
    time: "Time",
    place: "Place",
    organizers: "Organizers",
    chair: "Chair",
    rapporteur: "Rapporteur",
    speakers: "Speakers",
    key_issues: "Key issues",
    original_note: "This article has not been translated yet: it is printed in its original language.",
};

const ES: Labels = Labels {
    contents: "Índice",
    notes: "Notas",
    abstract_: "Resumen",
    keywords: "Palabras clave",
    part: "Parte",
    cover: "Portada",
    title_page: "Portadilla",
    start: "Inicio",
    landmarks: "Guía",
    back_to_text: "Volver al texto",
    done: "Hecho",
    not_done: "Pendiente",
    edited_by: "Edición a cargo de",
    with_contributions_by: "Con contribuciones de",
    edition: "Edición",
    published_by: "Publicado por",
    and_: "y",
    image: "Imagen",
    note: "Nota",
    tip: "Consejo",
    important: "Importante",
    warning: "Advertencia",
    caution: "Precaución",
    figure: "Figura",
    table: "Tabla",
    page: "Página",
    pages: "Páginas",
    page_abbr: "p.",
    references: "Referencias",
    glossary: "Glosario",
    contributors: "Colaboradores",
    foreword: "Prólogo",
    authors_and_articles: "Autores y sus artículos",
    policy_analysis: "Análisis de políticas",
    session_report: "Informe de sesión",
    case_study: "Estudio de caso",
    primer: "Introducción",
    see_also: "Véase también",
    session: "Sesión",
    format: "Formato",
    date: "Fecha",
    time: "Hora",
    place: "Lugar",
    organizers: "Organizadores",
    chair: "Presidencia",
    rapporteur: "Relatoría",
    speakers: "Ponentes",
    key_issues: "Temas clave",
    original_note: "Este artículo aún no se ha traducido: se publica en su idioma original.",
};

const FR: Labels = Labels {
    contents: "Sommaire",
    notes: "Notes",
    abstract_: "Résumé",
    keywords: "Mots-clés",
    part: "Partie",
    cover: "Couverture",
    title_page: "Page de titre",
    start: "Début",
    landmarks: "Repères",
    back_to_text: "Retour au texte",
    done: "Fait",
    not_done: "À faire",
    edited_by: "Sous la direction de",
    with_contributions_by: "Avec les contributions de",
    edition: "Édition",
    published_by: "Publié par",
    and_: "et",
    image: "Image",
    note: "Remarque",
    tip: "Astuce",
    important: "Important",
    warning: "Avertissement",
    caution: "Attention",
    figure: "Figure",
    table: "Tableau",
    page: "Page",
    pages: "Pages",
    page_abbr: "p.",
    references: "Références",
    glossary: "Glossaire",
    contributors: "Contributeurs",
    foreword: "Avant-propos",
    authors_and_articles: "Les auteurs et leurs articles",
    policy_analysis: "Analyse de politiques",
    session_report: "Compte rendu de session",
    case_study: "Étude de cas",
    primer: "Introduction",
    see_also: "Voir aussi",
    session: "Session",
    format: "Format",
    date: "Date",
    time: "Heure",
    place: "Lieu",
    organizers: "Organisateurs",
    chair: "Présidence",
    rapporteur: "Rapporteur",
    speakers: "Intervenants",
    key_issues: "Questions clés",
    original_note: "Cet article n’a pas encore été traduit : il est publié dans sa langue d’origine.",
};

const RU: Labels = Labels {
    contents: "Содержание",
    notes: "Примечания",
    abstract_: "Аннотация",
    keywords: "Ключевые слова",
    part: "Часть",
    cover: "Обложка",
    title_page: "Титульный лист",
    start: "Начало",
    landmarks: "Ориентиры",
    back_to_text: "Вернуться к тексту",
    done: "Выполнено",
    not_done: "Не выполнено",
    edited_by: "Под редакцией",
    with_contributions_by: "При участии",
    edition: "Издание",
    published_by: "Издатель",
    and_: "и",
    image: "Изображение",
    note: "Примечание",
    tip: "Совет",
    important: "Важно",
    warning: "Предупреждение",
    caution: "Осторожно",
    figure: "Рисунок",
    table: "Таблица",
    page: "Страница",
    pages: "Страницы",
    page_abbr: "с.",
    references: "Список литературы",
    glossary: "Глоссарий",
    contributors: "Авторы",
    foreword: "Предисловие",
    authors_and_articles: "Авторы и их статьи",
    policy_analysis: "Анализ политики",
    session_report: "Отчёт о сессии",
    case_study: "Практический пример",
    primer: "Введение",
    see_also: "См. также",
    session: "Сессия",
    format: "Формат",
    date: "Дата",
    time: "Время",
    place: "Место",
    organizers: "Организаторы",
    chair: "Председатель",
    rapporteur: "Докладчик",
    speakers: "Выступающие",
    key_issues: "Ключевые вопросы",
    original_note: "Эта статья ещё не переведена: она напечатана на языке оригинала.",
};

const AR: Labels = Labels {
    contents: "المحتويات",
    notes: "الحواشي",
    abstract_: "الملخص",
    keywords: "الكلمات المفتاحية",
    part: "الجزء",
    cover: "الغلاف",
    title_page: "صفحة العنوان",
    start: "بداية التقرير",
    landmarks: "معالم",
    back_to_text: "العودة إلى النص",
    done: "منجز",
    not_done: "غير منجز",
    edited_by: "تحرير",
    with_contributions_by: "بمساهمات من",
    edition: "الطبعة",
    published_by: "نشر",
    and_: "و",
    image: "صورة",
    note: "ملاحظة",
    tip: "نصيحة",
    important: "هام",
    warning: "تحذير",
    caution: "تنبيه",
    figure: "الشكل",
    table: "الجدول",
    page: "صفحة",
    pages: "صفحات",
    page_abbr: "ص.",
    references: "المراجع",
    glossary: "مسرد المصطلحات",
    contributors: "المساهمون",
    foreword: "تمهيد",
    authors_and_articles: "المؤلفون ومقالاتهم",
    policy_analysis: "تحليل السياسات",
    session_report: "تقرير الجلسة",
    case_study: "دراسة حالة",
    primer: "مدخل",
    see_also: "انظر أيضًا",
    session: "الجلسة",
    format: "الشكل",
    date: "التاريخ",
    time: "الوقت",
    place: "المكان",
    organizers: "المنظمون",
    chair: "الرئيس",
    rapporteur: "المقرر",
    speakers: "المتحدثون",
    key_issues: "القضايا الرئيسية",
    original_note: "لم تُترجم هذه المقالة بعد: وهي منشورة بلغتها الأصلية.",
};

const ZH: Labels = Labels {
    contents: "目录",
    notes: "注释",
    abstract_: "摘要",
    keywords: "关键词",
    part: "第部分",
    cover: "封面",
    title_page: "扉页",
    start: "报告开始",
    landmarks: "导航",
    back_to_text: "返回正文",
    done: "已完成",
    not_done: "未完成",
    edited_by: "编者",
    with_contributions_by: "撰稿人",
    edition: "版次",
    published_by: "出版者",
    and_: "和",
    image: "图片",
    note: "注意",
    tip: "提示",
    important: "重要",
    warning: "警告",
    caution: "小心",
    figure: "图",
    table: "表",
    page: "页",
    pages: "页",
    page_abbr: "页",
    references: "参考文献",
    glossary: "术语表",
    contributors: "撰稿人",
    foreword: "前言",
    authors_and_articles: "作者及其文章",
    policy_analysis: "政策分析",
    session_report: "会议报告",
    case_study: "案例研究",
    primer: "入门",
    see_also: "另见",
    session: "会议",
    format: "形式",
    date: "日期",
    time: "时间",
    place: "地点",
    organizers: "组织者",
    chair: "主持人",
    rapporteur: "报告员",
    speakers: "发言人",
    key_issues: "关键议题",
    original_note: "本文尚未翻译：以原文刊印。",
};

const PT: Labels = Labels {
    contents: "Sumário",
    notes: "Notas",
    abstract_: "Resumo",
    keywords: "Palavras-chave",
    part: "Parte",
    cover: "Capa",
    title_page: "Folha de rosto",
    start: "Início",
    landmarks: "Guia",
    back_to_text: "Voltar ao texto",
    done: "Feito",
    not_done: "Por fazer",
    edited_by: "Organização de",
    with_contributions_by: "Com contribuições de",
    edition: "Edição",
    published_by: "Publicado por",
    and_: "e",
    image: "Imagem",
    note: "Nota",
    tip: "Dica",
    important: "Importante",
    warning: "Aviso",
    caution: "Cuidado",
    figure: "Figura",
    table: "Tabela",
    page: "Página",
    pages: "Páginas",
    page_abbr: "p.",
    references: "Referências",
    glossary: "Glossário",
    contributors: "Colaboradores",
    foreword: "Prefácio",
    authors_and_articles: "Autores e seus artigos",
    policy_analysis: "Análise de políticas",
    session_report: "Relatório de sessão",
    case_study: "Estudo de caso",
    primer: "Introdução",
    see_also: "Ver também",
    session: "Sessão",
    format: "Formato",
    date: "Data",
    time: "Hora",
    place: "Local",
    organizers: "Organizadores",
    chair: "Presidência",
    rapporteur: "Relator",
    speakers: "Palestrantes",
    key_issues: "Questões-chave",
    original_note: "Este artigo ainda não foi traduzido: é publicado na língua original.",
};

const DE: Labels = Labels {
    contents: "Inhalt",
    notes: "Anmerkungen",
    abstract_: "Zusammenfassung",
    keywords: "Schlagwörter",
    part: "Teil",
    cover: "Umschlag",
    title_page: "Titelseite",
    start: "Beginn",
    landmarks: "Orientierung",
    back_to_text: "Zurück zum Text",
    done: "Erledigt",
    not_done: "Offen",
    edited_by: "Herausgegeben von",
    with_contributions_by: "Mit Beiträgen von",
    edition: "Ausgabe",
    published_by: "Veröffentlicht von",
    and_: "und",
    image: "Bild",
    note: "Hinweis",
    tip: "Tipp",
    important: "Wichtig",
    warning: "Warnung",
    caution: "Vorsicht",
    figure: "Abbildung",
    table: "Tabelle",
    page: "Seite",
    pages: "Seiten",
    page_abbr: "S.",
    references: "Literatur",
    glossary: "Glossar",
    contributors: "Beitragende",
    foreword: "Vorwort",
    authors_and_articles: "Die Autorinnen und Autoren und ihre Beiträge",
    policy_analysis: "Politikanalyse",
    session_report: "Sitzungsbericht",
    case_study: "Fallstudie",
    primer: "Einführung",
    see_also: "Siehe auch",
    session: "Sitzung",
    format: "Format",
    date: "Datum",
    time: "Zeit",
    place: "Ort",
    organizers: "Veranstalter",
    chair: "Vorsitz",
    rapporteur: "Berichterstattung",
    speakers: "Sprecher",
    key_issues: "Kernfragen",
    original_note: "Dieser Beitrag ist noch nicht übersetzt: Er erscheint in der Originalsprache.",
};

/// The right-to-left scripts' languages (primary subtags).
const RTL: &[&str] = &["ar", "he", "fa", "ur", "yi", "ps", "sd", "ug", "dv", "ckb"];

/// The primary language subtag of a BCP 47 tag, lower-cased.
pub fn primary(tag: &str) -> String {
    tag.split('-').next().unwrap_or("").to_ascii_lowercase()
}

/// A language's name in itself ("Español"), for links between editions;
/// the tag itself for a language not in the table.
pub fn native_name(tag: &str) -> String {
    match primary(tag).as_str() {
        "en" => "English",
        "es" => "Español",
        "fr" => "Français",
        "ru" => "Русский",
        "ar" => "العربية",
        "zh" => "中文",
        "pt" => "Português",
        "de" => "Deutsch",
        _ => return tag.to_string(),
    }
    .to_string()
}

/// Whether a language is written right to left.
pub fn is_rtl(tag: &str) -> bool {
    RTL.contains(&primary(tag).as_str())
}

/// Is this letter of a script written right to left (Hebrew, Arabic,
/// Syriac, Thaana, N'Ko...)? A paragraph's direction is that of its first
/// letter (Unicode's rule P2, as `dir="auto"` does; see
/// [`crate::doc::first_letter`]).
pub fn is_rtl_letter(c: char) -> bool {
    matches!(c as u32,
        0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF | 0x10800..=0x10FFF | 0x1E800..=0x1EFFF)
}

impl Labels {
    /// The labels for a BCP 47 tag: English unless its primary language is
    /// in the table.
    pub fn for_language(tag: &str) -> Labels {
        match primary(tag).as_str() {
            "es" => ES,
            "fr" => FR,
            "ru" => RU,
            "ar" => AR,
            "zh" => ZH,
            "pt" => PT,
            "de" => DE,
            _ => EN,
        }
    }

    pub fn callout(&self, kind: CalloutKind) -> &'static str {
        match kind {
            CalloutKind::Note => self.note,
            CalloutKind::Tip => self.tip,
            CalloutKind::Important => self.important,
            CalloutKind::Warning => self.warning,
            CalloutKind::Caution => self.caution,
        }
    }

    /// "Part 2" (in Chinese "第2部分": the word wraps the number).
    pub fn part_number(&self, number: usize) -> String {
        match self.part.split_once('第') {
            Some((_, rest)) => format!("第{number}{rest}"),
            None => format!("{} {number}", self.part),
        }
    }

    /// "Part 2" or "Part 2. Title".
    pub fn part_title(&self, part: &Part) -> String {
        match &part.title {
            Some(t) if !t.trim().is_empty() => format!("{}. {}", self.part_number(part.number), t.trim()),
            _ => self.part_number(part.number),
        }
    }

    /// The strings as a Typst dictionary literal (the template's `strings`).
    pub fn typst_dict(&self) -> String {
        let mut out = String::from("(");
        for (key, value) in self.pairs() {
            out.push_str(&format!("{key}: \"{}\", ", value.replace('\\', "\\\\").replace('"', "\\\"")));
        }
        out.push(')');
        out
    }

    /// The template's strings by key.
    pub fn pairs(&self) -> [(&'static str, &'static str); 49] {
        [
            ("contents", self.contents),
            ("notes", self.notes),
            ("abstract", self.abstract_),
            ("keywords", self.keywords),
            ("part", self.part),
            ("cover", self.cover),
            ("title-page", self.title_page),
            ("start", self.start),
            ("landmarks", self.landmarks),
            ("back-to-text", self.back_to_text),
            ("done", self.done),
            ("not-done", self.not_done),
            ("edited-by", self.edited_by),
            ("with-contributions-by", self.with_contributions_by),
            ("edition", self.edition),
            ("published-by", self.published_by),
            ("conj", self.and_),
            ("image", self.image),
            ("note", self.note),
            ("tip", self.tip),
            ("important", self.important),
            ("warning", self.warning),
            ("caution", self.caution),
            ("figure", self.figure),
            ("table", self.table),
            ("page", self.page),
            ("pages", self.pages),
            ("page-abbr", self.page_abbr),
            ("references", self.references),
            ("glossary", self.glossary),
            ("contributors", self.contributors),
            ("foreword", self.foreword),
            ("authors-and-articles", self.authors_and_articles),
            ("policy-analysis", self.policy_analysis),
            ("session-report", self.session_report),
            ("case-study", self.case_study),
            ("primer", self.primer),
            ("see-also", self.see_also),
            ("session", self.session),
            ("format", self.format),
            ("date", self.date),
            ("time", self.time),
            ("place", self.place),
            ("organizers", self.organizers),
            ("chair", self.chair),
            ("rapporteur", self.rapporteur),
            ("speakers", self.speakers),
            ("key-issues", self.key_issues),
            ("original-note", self.original_note),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages() {
        assert_eq!(Labels::for_language("es-MX").contents, "Índice");
        assert_eq!(Labels::for_language("zh-Hans").part_number(2), "第2部分");
        assert_eq!(Labels::for_language("en").part_number(2), "Part 2");
        assert_eq!(Labels::for_language("xx").figure, "Figure");
        assert!(is_rtl("ar") && is_rtl("he-IL") && !is_rtl("en"));
        let rtl = |t: &str| crate::doc::first_letter(&[crate::doc::Inline::Text(t.into())]).map(is_rtl_letter);
        assert_eq!(rtl("« مرحبا » COALA"), Some(true));
        assert_eq!(rtl("1. COALA مرحبا"), Some(false));
        assert_eq!(rtl("2016 — !"), None);
        assert!(Labels::for_language("fr").typst_dict().starts_with("(contents: \"Sommaire\", "));
        for lang in LANGUAGES {
            assert!(!Labels::for_language(lang).typst_dict().contains("\n"));
        }
    }
}
