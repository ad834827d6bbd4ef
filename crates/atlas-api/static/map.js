// The Atlas demo map: clusters from GET /v1/clusters at every zoom (single actors once there
// is room), country borders from GET /v1/map/borders as an offline base map, an optional
// raster base map when the deployment configures one (GET /map-config.json), search, a
// category filter with counts for the current view, and a language switch.
// Everything is served by the Atlas itself; nothing is loaded from the internet.
(function () {
  'use strict';

  const UI = {
    en: { all: 'All categories', search: 'Search by name or city', shown: (n) => `${n} in view`, found: (n) => `${n} found`, details: 'Details (JSON)' },
    de: { all: 'Alle Kategorien', search: 'Nach Name oder Ort suchen', shown: (n) => `${n} im Ausschnitt`, found: (n) => `${n} gefunden`, details: 'Details (JSON)' },
    fr: { all: 'Toutes les catégories', search: 'Chercher un nom ou une ville', shown: (n) => `${n} dans la vue`, found: (n) => `${n} trouvés`, details: 'Détails (JSON)' },
    es: { all: 'Todas las categorías', search: 'Buscar por nombre o ciudad', shown: (n) => `${n} en la vista`, found: (n) => `${n} encontrados`, details: 'Detalles (JSON)' },
    it: { all: 'Tutte le categorie', search: 'Cerca per nome o città', shown: (n) => `${n} nella vista`, found: (n) => `${n} trovati`, details: 'Dettagli (JSON)' },
    pt: { all: 'Todas as categorias', search: 'Pesquisar por nome ou cidade', shown: (n) => `${n} na vista`, found: (n) => `${n} encontrados`, details: 'Detalhes (JSON)' },
    nl: { all: 'Alle categorieën', search: 'Zoek op naam of plaats', shown: (n) => `${n} in beeld`, found: (n) => `${n} gevonden`, details: 'Details (JSON)' },
    pl: { all: 'Wszystkie kategorie', search: 'Szukaj nazwy lub miasta', shown: (n) => `${n} w widoku`, found: (n) => `${n} znaleziono`, details: 'Szczegóły (JSON)' },
    hu: { all: 'Minden kategória', search: 'Keresés név vagy település szerint', shown: (n) => `${n} a nézetben`, found: (n) => `${n} találat`, details: 'Részletek (JSON)' },
    cs: { all: 'Všechny kategorie', search: 'Hledat podle názvu nebo města', shown: (n) => `${n} v zobrazení`, found: (n) => `${n} nalezeno`, details: 'Podrobnosti (JSON)' },
    ro: { all: 'Toate categoriile', search: 'Căutați după nume sau oraș', shown: (n) => `${n} în vizualizare`, found: (n) => `${n} găsite`, details: 'Detalii (JSON)' },
    hr: { all: 'Sve kategorije', search: 'Traži po nazivu ili gradu', shown: (n) => `${n} u prikazu`, found: (n) => `${n} pronađeno`, details: 'Pojedinosti (JSON)' },
    bg: { all: 'Всички категории', search: 'Търсене по име или град', shown: (n) => `${n} в изгледа`, found: (n) => `${n} намерени`, details: 'Подробности (JSON)' },
    fi: { all: 'Kaikki luokat', search: 'Hae nimellä tai paikkakunnalla', shown: (n) => `${n} näkymässä`, found: (n) => `${n} löytyi`, details: 'Tiedot (JSON)' },
    el: { all: 'Όλες οι κατηγορίες', search: 'Αναζήτηση με όνομα ή πόλη', shown: (n) => `${n} στην προβολή`, found: (n) => `${n} βρέθηκαν`, details: 'Λεπτομέρειες (JSON)' },
  };

  const state = {
    lang: (navigator.language || 'en').slice(0, 2) in UI ? navigator.language.slice(0, 2) : 'en',
    category: '',
    search: '',
    labels: {},          // category id -> label in the current language
    facetsEndpoint: null, // whether GET /v1/facets exists (built by another issue)
    browsingPlace: false, // a search found no actor and took the map to a town it names
  };
  const el = (id) => document.getElementById(id);
  const t = () => UI[state.lang] || UI.en;

  const map = L.map('map', { worldCopyJump: true, minZoom: 2 }).setView([50, 10], 4);
  window.atlasMap = map; // for the browser test and the console
  const itemsLayer = L.layerGroup().addTo(map);
  map.attributionControl.addAttribution('Data: Social Tech Atlas (ODbL) · Borders: country-coder (ISC)');

  async function getJson(url) {
    const response = await fetch(url, { headers: { Accept: 'application/json' } });
    if (!response.ok) {
      const error = new Error(`${url}: ${response.status}`);
      error.status = response.status;
      throw error;
    }
    return response.json();
  }

  // Base maps: the borders always (offline), a raster layer only when configured.
  async function loadBaseMaps() {
    try {
      const config = await getJson('/map-config.json');
      if (config.tile_url) {
        L.tileLayer(config.tile_url, { attribution: config.tile_attribution || '', maxZoom: 19 }).addTo(map);
      }
    } catch (e) { /* no configuration: borders only */ }
    const borders = await getJson('/v1/map/borders');
    L.geoJSON(borders, {
      style: { color: '#6b8799', weight: 1, fillColor: '#f4f1e8', fillOpacity: 1 },
      interactive: false,
    }).addTo(map).bringToBack();
  }

  function filterQuery() {
    const params = new URLSearchParams();
    if (state.category) params.append('category', state.category);
    return params;
  }

  function viewBbox() {
    const b = map.getBounds();
    const west = Math.max(-180, b.getWest()), east = Math.min(180, b.getEast());
    const south = Math.max(-90, b.getSouth()), north = Math.min(90, b.getNorth());
    return [west, south, east, north].map((v) => v.toFixed(5)).join(',');
  }

  function escapeHtml(text) {
    return String(text ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  }

  function popupHtml(actor) {
    const categories = (actor.categories || []).map((c) => `<li>${escapeHtml(state.labels[c] || c)}</li>`).join('');
    const link = `/v1/actors/${encodeURIComponent(actor.slug || actor.id)}?lang=${state.lang}`;
    return `<div class="popup"><h3>${escapeHtml(actor.name)}</h3>` +
      `<div>${escapeHtml(actor.kind || '')}${actor.city ? ' · ' + escapeHtml(actor.city) : ''}</div>` +
      `<ul>${categories}</ul><a href="${link}" target="_blank" rel="noopener">${t().details}</a></div>`;
  }

  function actorMarker(actor, lat, lon) {
    return L.circleMarker([lat, lon], { radius: 7, color: '#fff', weight: 2, fillColor: '#1f77b4', fillOpacity: 1, className: 'actor-marker' })
      .bindPopup(() => popupHtml(actor));
  }

  function clusterMarker(feature) {
    const [lon, lat] = feature.geometry.coordinates;
    const count = feature.properties.count;
    const size = Math.round(20 + Math.min(16, Math.log2(count) * 2.5));
    const marker = L.marker([lat, lon], {
      icon: L.divIcon({ className: 'cluster-icon', html: `<div class="cluster" style="width:${size}px;height:${size}px">${count}</div>`, iconSize: [size, size] }),
      title: `${count}`,
    });
    marker.on('click', () => {
      const [w, s, e, n] = feature.bbox;
      if (w === e && s === n) map.setView([s, w], Math.min(map.getZoom() + 3, 18));
      else map.fitBounds([[s, w], [n, e]], { padding: [30, 30] });
    });
    return marker;
  }

  // Clusters for the current view and filters.
  let clustersRequest = 0;
  async function loadClusters() {
    const request = ++clustersRequest;
    const params = filterQuery();
    params.set('bbox', viewBbox());
    params.set('zoom', String(map.getZoom()));
    const collection = await getJson(`/v1/clusters?${params}`);
    if (request !== clustersRequest || (state.search && !state.browsingPlace)) return;
    itemsLayer.clearLayers();
    for (const feature of collection.features) {
      const [lon, lat] = feature.geometry.coordinates;
      if (feature.properties.cluster) itemsLayer.addLayer(clusterMarker(feature));
      else itemsLayer.addLayer(actorMarker(feature.properties, lat, lon));
    }
    el('status').textContent = t().shown(collection.numberMatched);
    document.body.dataset.loaded = 'clusters';
    updateFacets(collection);
  }

  // Category counts for the view: GET /v1/facets when the server has it; otherwise summed from
  // the clusters' top categories and the single actors (a lower bound, marked "≥").
  async function updateFacets(collection) {
    let counts = null, exact = true;
    if (state.facetsEndpoint !== false) {
      try {
        const params = new URLSearchParams({ bbox: viewBbox() });
        const facets = await getJson(`/v1/facets?${params}`);
        state.facetsEndpoint = true;
        // `categories` maps each category id to its count in the view.
        counts = { ...(facets.categories || {}) };
      } catch (e) {
        if (e.status === 404) state.facetsEndpoint = false;
      }
    }
    if (!counts) {
      counts = {}; exact = false;
      for (const feature of collection.features) {
        const p = feature.properties;
        if (p.cluster) for (const c of p.top_categories || []) counts[c.id] = (counts[c.id] || 0) + c.count;
        else for (const c of p.categories || []) counts[c] = (counts[c] || 0) + 1;
      }
    }
    for (const option of el('category').options) {
      if (!option.value) continue;
      const n = counts[option.value];
      option.textContent = `${state.labels[option.value] || option.value}${n ? ` (${exact ? '' : '≥'}${n})` : ''}`;
    }
  }

  // Search: the Atlas's own text search (typo tolerant, multilingual) within the category
  // filter. When it finds no actor, a town or place the text names (a suggestion with a
  // point) is where the map goes, to show what is around it.
  async function findActors(text) {
    const params = filterQuery();
    params.set('q', text);
    params.set('limit', '100');
    params.set('lang', state.lang);
    return (await getJson(`/v1/actors?${params}`)).items;
  }

  async function findPlace(text) {
    const params = new URLSearchParams({ q: text, lang: state.lang });
    const found = await getJson(`/v1/search/suggest?${params}`);
    return found.items.find((s) => (s.type === 'city' || s.type === 'place') && s.point);
  }

  let searchRequest = 0;
  async function runSearch() {
    const request = ++searchRequest;
    const list = el('results');
    if (!state.search) {
      list.hidden = true;
      list.innerHTML = '';
      await loadClusters();
      return;
    }
    state.browsingPlace = false;
    const actors = await findActors(state.search);
    if (request !== searchRequest) return;
    if (!actors.length) {
      const place = await findPlace(state.search);
      if (request !== searchRequest) return;
      if (place) {
        list.hidden = true;
        list.innerHTML = '';
        const b = place.bbox;
        state.browsingPlace = true; // panning from there shows clusters, as without a search
        if (b && (b[0] !== b[2] || b[1] !== b[3])) map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { maxZoom: 12, animate: false });
        else map.setView([place.point.lat, place.point.lon], 11, { animate: false });
        await loadClusters();
        return;
      }
    }
    itemsLayer.clearLayers();
    list.innerHTML = '';
    const markers = [];
    for (const actor of actors) {
      const lat = actor.location ? actor.location.lat : actor.lat;
      const lon = actor.location ? actor.location.lon : actor.lon;
      const marker = actorMarker(actor, lat, lon);
      itemsLayer.addLayer(marker);
      markers.push(marker);
      const item = document.createElement('li');
      item.textContent = actor.city ? `${actor.name} — ${actor.city}` : actor.name;
      item.addEventListener('click', () => { map.setView([lat, lon], 14); marker.openPopup(); });
      list.appendChild(item);
    }
    list.hidden = actors.length === 0;
    el('status').textContent = t().found(actors.length);
    document.body.dataset.loaded = 'search';
    if (markers.length) map.fitBounds(L.featureGroup(markers).getBounds(), { maxZoom: 12, padding: [30, 30] });
  }

  async function loadCategories() {
    const list = await getJson(`/v1/categories?lang=${state.lang}`);
    state.labels = {};
    const select = el('category');
    select.innerHTML = '';
    const all = document.createElement('option');
    all.value = '';
    all.textContent = t().all;
    select.appendChild(all);
    for (const category of list.items) {
      state.labels[category.id] = category.label;
      const option = document.createElement('option');
      option.value = category.id;
      option.textContent = (category.parent ? '\u00a0\u00a0' : '') + category.label;
      select.appendChild(option);
    }
    select.value = state.category;
  }

  function refresh() {
    (state.search ? runSearch() : loadClusters()).catch((e) => { el('status').textContent = String(e.message || e); });
  }

  let searchTimer = null;
  el('search').addEventListener('input', (event) => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => { state.search = event.target.value.trim(); refresh(); }, 250);
  });
  el('category').addEventListener('change', (event) => { state.category = event.target.value; refresh(); });
  el('lang').addEventListener('change', async (event) => {
    state.lang = event.target.value;
    document.documentElement.lang = state.lang;
    el('search').placeholder = t().search;
    await loadCategories();
    refresh();
  });
  map.on('moveend', () => { if (!state.search) refresh(); else if (state.browsingPlace) loadClusters(); });

  (async function start() {
    el('lang').value = state.lang;
    el('search').placeholder = t().search;
    document.documentElement.lang = state.lang;
    await Promise.all([loadBaseMaps().catch(() => {}), loadCategories()]);
    refresh();
  })();
})();
