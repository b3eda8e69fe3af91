/*
 * Inline evidence citations in the brief editor: the Draftail entity type EVIDENCE.
 *
 * Select words in a Text block and press the toolbar's "Cite evidence" button: the evidence
 * chooser opens (Wagtail's generic chooser modal, with its search and filters); the chosen
 * evidence is attached to the words as an EVIDENCE entity, stored in the page as
 * <a linktype="evidence" id="12">words</a>. With no words selected, the quote itself is
 * inserted in quotation marks and cited. A citation shows a marker; clicking it opens a tooltip
 * with the quote, its page, a link to the evidence and Edit / Remove buttons, like links.
 *
 * Written against the globals Wagtail's admin exposes for Draftail plugins (window.draftail,
 * window.React, window.ReactDOM, window.DraftJS, window.CHOOSER_MODAL_ONLOAD_HANDLERS), so it
 * needs no build step.
 */
(() => {
  'use strict';

  const { draftail, React, ReactDOM, DraftJS } = window;
  if (!draftail || !React || !ReactDOM || !DraftJS) {
    // eslint-disable-next-line no-console
    console.error('Evidence citations: the Draftail editor globals are missing.');
    return;
  }
  const h = React.createElement;
  const ENTITY_TYPE = 'EVIDENCE';

  /** Opens the evidence chooser and applies the chosen evidence to the selection. */
  class EvidenceModalWorkflowSource extends draftail.ModalWorkflowSource {
    getChooserConfig(entity) {
      const { evidenceChooser } = { ...this.props.entityType?.chooserUrls };
      const urlParams = {};
      if (entity) {
        // Re-citing: open the chooser on the source of the evidence cited now.
        const data = entity.getData();
        if (data.source) urlParams.source = data.source;
      }
      return {
        url: evidenceChooser,
        urlParams,
        onload: window.CHOOSER_MODAL_ONLOAD_HANDLERS,
        responses: { chosen: this.onChosen },
      };
    }

    filterEntityData(data) {
      return {
        id: Number.parseInt(data.id, 10),
        label: data.label || data.title,
        page: data.page,
        source: data.source,
        url: data.edit_url,
      };
    }

    // Replaces the base class's onChosen, which only knows the mutability of Wagtail's own
    // entity types: a citation must be MUTABLE so that editing the cited words keeps it.
    onChosen(data) {
      const { editorState, onComplete } = this.props;
      const selection = editorState.getSelection();
      const content = editorState
        .getCurrentContent()
        .createEntity(ENTITY_TYPE, 'MUTABLE', this.filterEntityData(data));
      const entityKey = content.getLastCreatedEntityKey();
      let nextState;
      if (selection.isCollapsed()) {
        const quote = `“${data.quote || data.title}”`;
        const withText = DraftJS.Modifier.insertText(
          content,
          selection,
          quote,
          editorState.getCurrentInlineStyle(),
          entityKey,
        );
        nextState = DraftJS.EditorState.push(editorState, withText, 'insert-characters');
      } else {
        nextState = DraftJS.RichUtils.toggleLink(editorState, selection, entityKey);
      }
      if (this.workflow) this.workflow.close();
      onComplete(nextState);
    }
  }

  /** The cited words in the editor, with a marker and a tooltip (quote, page, actions). */
  class EvidenceCitation extends React.Component {
    constructor(props) {
      super(props);
      this.state = { tooltipAt: null };
      this.tooltipRef = React.createRef();
      this.openTooltip = this.openTooltip.bind(this);
      this.closeTooltip = this.closeTooltip.bind(this);
      this.onOutside = this.onOutside.bind(this);
      this.onEdit = this.onEdit.bind(this);
      this.onRemove = this.onRemove.bind(this);
    }

    componentWillUnmount() {
      this.removeListeners();
    }

    onEdit(event) {
      event.preventDefault();
      event.stopPropagation();
      this.closeTooltip();
      this.props.onEdit(this.props.entityKey);
    }

    onRemove(event) {
      event.preventDefault();
      event.stopPropagation();
      this.closeTooltip();
      this.props.onRemove(this.props.entityKey);
    }

    onOutside(event) {
      const tooltip = this.tooltipRef.current;
      if (event.type === 'mouseup' && tooltip && tooltip.contains(event.target)) return;
      this.closeTooltip();
    }

    openTooltip(event) {
      const trigger = event.target.closest('[data-draftail-trigger]');
      if (!trigger) return;
      const container = trigger.closest('[data-draftail-editor-wrapper]');
      if (!container) return;
      const containerRect = container.getBoundingClientRect();
      const rect = trigger.getBoundingClientRect();
      const scrollTop = document.documentElement.scrollTop || document.body.scrollTop;
      const scrollLeft = document.documentElement.scrollLeft || document.body.scrollLeft;
      this.setState({
        tooltipAt: {
          container,
          top: rect.top - containerRect.top - scrollTop,
          left: rect.left - containerRect.left - scrollLeft,
          width: rect.width,
          height: rect.height,
        },
      });
      // After this event has finished bubbling, so that it does not close the tooltip at once.
      window.setTimeout(() => {
        if (!this.state.tooltipAt || this.listening) return;
        this.listening = true;
        document.addEventListener('mouseup', this.onOutside);
        document.addEventListener('keyup', this.onOutside);
        window.addEventListener('resize', this.onOutside);
      }, 0);
    }

    closeTooltip() {
      this.removeListeners();
      if (this.state.tooltipAt) this.setState({ tooltipAt: null });
    }

    removeListeners() {
      if (!this.listening) return;
      this.listening = false;
      document.removeEventListener('mouseup', this.onOutside);
      document.removeEventListener('keyup', this.onOutside);
      window.removeEventListener('resize', this.onOutside);
    }

    renderTooltip(data) {
      const { tooltipAt } = this.state;
      const page = data.page ? `p. ${data.page}` : null;
      const body = [
        h(
          'span',
          { key: 'kind', className: 'EvidenceTooltip__kind' },
          data.missing ? 'Missing evidence' : `Evidence #${data.id}`,
          page ? ` · ${page}` : null,
        ),
        h('q', { key: 'quote', className: 'EvidenceTooltip__quote' }, data.label || ''),
      ];
      if (data.problem) {
        body.push(h('span', { key: 'problem', className: 'EvidenceTooltip__problem' }, data.problem));
      }
      const actions = [];
      if (data.url) {
        actions.push(
          h(
            'a',
            {
              key: 'open',
              href: data.url,
              target: '_blank',
              rel: 'noreferrer',
              className: 'Tooltip__link EvidenceTooltip__open',
            },
            'Open evidence',
          ),
        );
      }
      actions.push(
        h(
          'button',
          { key: 'edit', type: 'button', className: 'button button-small Tooltip__button', onClick: this.onEdit },
          'Change',
        ),
        h(
          'button',
          {
            key: 'remove',
            type: 'button',
            className: 'button button-small button-secondary no Tooltip__button',
            onClick: this.onRemove,
          },
          'Remove',
        ),
      );
      body.push(h('span', { key: 'actions', className: 'EvidenceTooltip__actions' }, actions));
      return ReactDOM.createPortal(
        h(
          'div',
          { ref: this.tooltipRef, className: 'EvidenceTooltip' },
          h(draftail.Tooltip, { target: tooltipAt, direction: 'top' }, body),
        ),
        tooltipAt.container,
      );
    }

    render() {
      const { contentState, entityKey, children } = this.props;
      const data = contentState.getEntity(entityKey).getData();
      const classes = ['EvidenceCitation'];
      if (data.missing) classes.push('EvidenceCitation--missing');
      else if (data.problem) classes.push('EvidenceCitation--problem');
      const title = data.missing
        ? `Missing evidence #${data.id}: remove this citation`
        : `${data.label || ''}${data.problem ? ` — ${data.problem}` : ''}`;
      return h(
        'a',
        {
          href: data.url || undefined,
          role: 'button',
          title,
          className: classes.join(' '),
          'data-evidence-id': data.id,
          'data-draftail-trigger': true,
          // mouseup, not click, keeps the focus and selection in the editor (as Wagtail's links).
          onMouseUp: this.openTooltip,
        },
        children,
        this.state.tooltipAt ? this.renderTooltip(data) : null,
      );
    }
  }

  draftail.registerPlugin(
    { type: ENTITY_TYPE, source: EvidenceModalWorkflowSource, decorator: EvidenceCitation },
    'entityTypes',
  );
})();
