# frozen_string_literal: true

# A small inventory and order-tracking application, written as a benchmark
# sample for fastlex. It is ordinary Ruby: a configuration module, a tiny
# persistence layer, domain models with validations, a router, a report
# renderer with heredocs, a command line front end and a few helpers.

require "json"
require "set"
require "time"
require "logger"
require "optparse"
require "digest"

module Stockroom
  VERSION = "2.4.1"
  DEFAULT_CURRENCY = :eur
  SUPPORTED_CURRENCIES = %i[eur usd gbp chf sek].freeze
  RESERVED_WORDS = %w[admin root system api assets static].freeze
  SKU_PATTERN = /\A[A-Z]{3}-\d{4,6}(?:-[A-Z0-9]{2})?\z/
  EMAIL_PATTERN = /\A[^@\s]+@[^@\s]+\.[a-z]{2,}\z/i

  class Error < StandardError; end
  class NotFound < Error; end
  class ValidationFailed < Error
    attr_reader :errors

    def initialize(errors)
      @errors = errors
      super("validation failed: #{errors.map { |field, msg| "#{field} #{msg}" }.join(', ')}")
    end
  end

  # Settings are read from a hash (usually parsed from a YAML or JSON file)
  # and frozen afterwards, so that nothing changes them at run time.
  module Configuration
    DEFAULTS = {
      database_path: "db/stockroom.json",
      log_level: :info,
      currency: DEFAULT_CURRENCY,
      page_size: 25,
      low_stock_threshold: 5,
      tax_rates: { standard: 0.2, reduced: 0.055, zero: 0.0 },
      features: { reservations: true, audit_log: false, webhooks: false },
    }.freeze

    class << self
      def settings
        @settings ||= DEFAULTS.dup
      end

      def configure
        yield settings if block_given?
        validate!
        settings.freeze
      end

      def reset!
        @settings = nil
      end

      def [](key)
        settings.fetch(key.to_sym) { raise KeyError, "unknown setting: #{key.inspect}" }
      end

      def feature?(name)
        !!settings.dig(:features, name.to_sym)
      end

      private

      def validate!
        unless SUPPORTED_CURRENCIES.include?(settings[:currency])
          raise Error, "unsupported currency #{settings[:currency]}"
        end
        size = settings[:page_size]
        raise Error, "page_size must be between 1 and 500" unless size.is_a?(Integer) && (1..500).cover?(size)
        settings[:tax_rates].each do |name, rate|
          next if rate.between?(0.0, 1.0)

          raise Error, format("tax rate %<name>s out of range: %<rate>.3f", name: name, rate: rate)
        end
      end
    end
  end

  # Money is kept as an integer number of cents with a currency, never as a float.
  class Money
    include Comparable

    attr_reader :cents, :currency

    SYMBOLS = { eur: "€", usd: "$", gbp: "£", chf: "CHF ", sek: "kr " }.freeze

    def self.parse(text, currency = DEFAULT_CURRENCY)
      match = text.to_s.strip.match(/\A(?<sign>-)?(?<units>\d+)(?:[.,](?<frac>\d{1,2}))?\z/)
      raise ArgumentError, "not an amount: #{text.inspect}" unless match

      cents = match[:units].to_i * 100 + match[:frac].to_s.ljust(2, "0").to_i
      cents = -cents if match[:sign]
      new(cents, currency)
    end

    def self.zero(currency = DEFAULT_CURRENCY)
      new(0, currency)
    end

    def initialize(cents, currency = DEFAULT_CURRENCY)
      @cents = Integer(cents)
      @currency = currency.to_sym
      freeze
    end

    def +(other)
      check_currency!(other)
      Money.new(cents + other.cents, currency)
    end

    def -(other)
      check_currency!(other)
      Money.new(cents - other.cents, currency)
    end

    def *(factor)
      Money.new((cents * factor).round, currency)
    end

    def -@
      Money.new(-cents, currency)
    end

    def <=>(other)
      return nil unless other.is_a?(Money) && other.currency == currency

      cents <=> other.cents
    end

    def zero?
      cents.zero?
    end

    def allocate(parts)
      base, remainder = cents.divmod(parts)
      Array.new(parts) { |i| Money.new(base + (i < remainder ? 1 : 0), currency) }
    end

    def to_s
      units, frac = cents.abs.divmod(100)
      grouped = units.to_s.reverse.scan(/\d{1,3}/).join(",").reverse
      "#{'-' if cents.negative?}#{SYMBOLS.fetch(currency, '')}#{grouped}.#{frac.to_s.rjust(2, '0')}"
    end

    def inspect
      "#<Money #{self} (#{currency})>"
    end

    def to_h
      { cents: cents, currency: currency.to_s }
    end

    def hash
      [cents, currency].hash
    end

    def eql?(other)
      other.is_a?(Money) && other.cents == cents && other.currency == currency
    end

    private

    def check_currency!(other)
      return if other.currency == currency

      raise ArgumentError, "currency mismatch: #{currency} vs #{other.currency}"
    end
  end

  # A minimal JSON-file store: collections of records keyed by id.
  class Store
    attr_reader :path, :logger

    def initialize(path, logger: Logger.new($stderr))
      @path = path
      @logger = logger
      @data = Hash.new { |hash, key| hash[key] = {} }
      @next_ids = Hash.new(0)
      @mutex = Mutex.new
      load! if File.exist?(path)
    end

    def insert(collection, attributes)
      @mutex.synchronize do
        id = (@next_ids[collection] += 1)
        record = attributes.merge(id: id, created_at: Time.now.utc.iso8601)
        @data[collection][id] = record
        logger.debug { "insert #{collection}##{id}" }
        record
      end
    end

    def update(collection, id, changes)
      @mutex.synchronize do
        record = @data[collection].fetch(id) { raise NotFound, "#{collection}##{id}" }
        record.merge!(changes, updated_at: Time.now.utc.iso8601)
      end
    end

    def delete(collection, id)
      @mutex.synchronize { @data[collection].delete(id) or raise NotFound, "#{collection}##{id}" }
    end

    def find(collection, id)
      @data[collection][id]
    end

    def all(collection)
      @data[collection].values
    end

    def where(collection, **conditions)
      all(collection).select do |record|
        conditions.all? do |key, expected|
          case expected
          when Range, Regexp, Set, Array then expected === record[key] || (expected.respond_to?(:include?) && expected.include?(record[key]))
          when Proc then expected.call(record[key])
          else record[key] == expected
          end
        end
      end
    end

    def save!
      tmp = "#{path}.tmp-#{Process.pid}"
      File.write(tmp, JSON.pretty_generate(dump))
      File.rename(tmp, path)
      logger.info("saved #{@data.sum { |_, rows| rows.size }} records to #{path}")
    ensure
      File.unlink(tmp) if tmp && File.exist?(tmp)
    end

    private

    def dump
      {
        "version" => VERSION,
        "next_ids" => @next_ids,
        "collections" => @data.transform_values(&:values),
      }
    end

    def load!
      raw = JSON.parse(File.read(path), symbolize_names: true)
      raw.fetch(:collections, {}).each do |name, rows|
        rows.each { |row| @data[name.to_sym][row[:id]] = row }
      end
      raw.fetch(:next_ids, {}).each { |name, value| @next_ids[name.to_sym] = value }
    rescue JSON::ParserError => e
      logger.error("cannot read #{path}: #{e.message}")
      raise Error, "corrupt database file #{path}"
    end
  end

  # Validations as a mixin: a class declares rules, instances check them.
  module Validations
    def self.included(base)
      base.extend(ClassMethods)
    end

    module ClassMethods
      def validations
        @validations ||= []
      end

      def validates(*fields, presence: false, format: nil, length: nil, inclusion: nil, numericality: nil)
        fields.each do |field|
          validations << { field: field, presence: presence, format: format, length: length,
                           inclusion: inclusion, numericality: numericality }
        end
      end

      def validate(method_name = nil, &block)
        validations << { custom: method_name || block }
      end
    end

    def errors
      @errors ||= {}
    end

    def valid?
      errors.clear
      self.class.validations.each { |rule| apply_rule(rule) }
      errors.empty?
    end

    def validate!
      raise ValidationFailed, errors unless valid?

      self
    end

    private

    def apply_rule(rule)
      if (custom = rule[:custom])
        custom.is_a?(Proc) ? instance_exec(&custom) : send(custom)
        return
      end

      field = rule[:field]
      value = public_send(field)
      if rule[:presence] && (value.nil? || (value.respond_to?(:empty?) && value.empty?))
        add_error(field, "can't be blank")
        return
      end
      return if value.nil?

      if rule[:format] && value.to_s !~ rule[:format]
        add_error(field, "is invalid")
      end
      if (range = rule[:length]) && !range.cover?(value.to_s.length)
        add_error(field, "must be #{range.min}..#{range.max} characters long")
      end
      if (allowed = rule[:inclusion]) && !allowed.include?(value)
        add_error(field, "must be one of #{allowed.to_a.join('/')}")
      end
      case rule[:numericality]
      when :positive
        add_error(field, "must be positive") unless value.is_a?(Numeric) && value.positive?
      when :non_negative
        add_error(field, "can't be negative") if !value.is_a?(Numeric) || value.negative?
      when Hash
        opts = rule[:numericality]
        add_error(field, "must be at least #{opts[:min]}") if opts[:min] && value < opts[:min]
        add_error(field, "must be at most #{opts[:max]}") if opts[:max] && value > opts[:max]
      end
    end

    def add_error(field, message)
      (errors[field] ||= []) << message
    end
  end

  # Base class for persisted models: attributes, dirty tracking, callbacks.
  class Model
    include Validations

    class << self
      attr_accessor :store

      def collection
        @collection ||= name.split("::").last.gsub(/([a-z\d])([A-Z])/, '\1_\2').downcase.concat("s").to_sym
      end

      def attribute(name, type = :string, default: nil)
        attributes[name] = { type: type, default: default }
        define_method(name) { @attributes[name] }
        define_method(:"#{name}=") do |value|
          coerced = coerce(value, type)
          changes[name] = [@attributes[name], coerced] unless @attributes[name] == coerced
          @attributes[name] = coerced
        end
        define_method(:"#{name}?") { !!@attributes[name] } if type == :boolean
      end

      def attributes
        @attributes ||= superclass.respond_to?(:attributes) ? superclass.attributes.dup : {}
      end

      def before_save(*methods, &block)
        callbacks[:before_save].concat(methods)
        callbacks[:before_save] << block if block
      end

      def after_save(*methods)
        callbacks[:after_save].concat(methods)
      end

      def callbacks
        @callbacks ||= Hash.new { |h, k| h[k] = [] }
      end

      def create(**attrs)
        new(**attrs).tap(&:save!)
      end

      def find(id)
        row = store.find(collection, Integer(id)) or raise NotFound, "#{name} #{id}"
        from_row(row)
      end

      def where(**conditions)
        store.where(collection, **conditions).map { |row| from_row(row) }
      end

      def all
        store.all(collection).map { |row| from_row(row) }
      end

      def count
        store.all(collection).size
      end

      def from_row(row)
        instance = allocate
        instance.send(:load_row, row)
        instance
      end
    end

    attr_reader :id

    def initialize(**attrs)
      @id = nil
      @attributes = {}
      self.class.attributes.each do |name, spec|
        default = spec[:default]
        @attributes[name] = default.respond_to?(:call) ? default.call : default
      end
      attrs.each { |key, value| public_send(:"#{key}=", value) }
      changes.clear
    end

    def changes
      @changes ||= {}
    end

    def changed?
      !changes.empty?
    end

    def persisted?
      !@id.nil?
    end

    def save!
      validate!
      run_callbacks(:before_save)
      row = serialize
      if persisted?
        self.class.store.update(self.class.collection, id, row)
      else
        @id = self.class.store.insert(self.class.collection, row)[:id]
      end
      run_callbacks(:after_save)
      changes.clear
      self
    end

    def destroy
      self.class.store.delete(self.class.collection, id) if persisted?
      @id = nil
      freeze
    end

    def ==(other)
      other.instance_of?(self.class) && other.id == id && !id.nil?
    end
    alias eql? ==

    def to_h
      { id: id }.merge(@attributes)
    end

    def inspect
      pairs = @attributes.map { |key, value| "#{key}: #{value.inspect}" }
      "#<#{self.class.name}##{id || 'new'} #{pairs.join(', ')}>"
    end

    private

    def run_callbacks(kind)
      self.class.callbacks[kind].each do |callback|
        callback.is_a?(Symbol) ? send(callback) : instance_exec(&callback)
      end
    end

    def serialize
      @attributes.transform_values { |value| value.respond_to?(:to_h) && !value.is_a?(Hash) ? value.to_h : value }
    end

    def load_row(row)
      @id = row[:id]
      @attributes = {}
      self.class.attributes.each do |name, spec|
        @attributes[name] = coerce(row[name], spec[:type])
      end
    end

    def coerce(value, type)
      return nil if value.nil?

      case type
      when :string then value.to_s
      when :integer then Integer(value)
      when :float then Float(value)
      when :boolean then [true, "true", "1", 1, "yes"].include?(value)
      when :symbol then value.to_sym
      when :time then value.is_a?(Time) ? value : Time.iso8601(value.to_s)
      when :money
        case value
        when Money then value
        when Hash then Money.new(value[:cents] || value["cents"], value[:currency] || value["currency"])
        else Money.parse(value)
        end
      when :list then Array(value)
      else
        raise ArgumentError, "unknown attribute type #{type.inspect}"
      end
    end
  end

  class Product < Model
    attribute :sku
    attribute :name
    attribute :description
    attribute :price, :money
    attribute :quantity, :integer, default: 0
    attribute :tags, :list, default: -> { [] }
    attribute :active, :boolean, default: true
    attribute :tax_class, :symbol, default: :standard

    validates :sku, presence: true, format: SKU_PATTERN
    validates :name, presence: true, length: 2..120
    validates :quantity, numericality: :non_negative
    validates :tax_class, inclusion: Configuration::DEFAULTS[:tax_rates].keys
    validate :price_must_be_positive

    before_save :normalize_tags
    before_save { self.name = name.strip.squeeze(" ") }

    def low_stock?
      quantity <= Configuration[:low_stock_threshold]
    end

    def gross_price
      rate = Configuration[:tax_rates].fetch(tax_class)
      price * (1 + rate)
    end

    def restock(amount)
      raise ArgumentError, "amount must be positive, got #{amount}" unless amount.positive?

      self.quantity += amount
      self
    end

    def take(amount)
      if amount > quantity
        raise Error, "only #{quantity} of #{sku} left, #{amount} requested"
      end

      self.quantity -= amount
    end

    private

    def price_must_be_positive
      add_error(:price, "must be positive") if price.nil? || price.cents <= 0
    end

    def normalize_tags
      self.tags = tags.map { |tag| tag.to_s.downcase.strip }.reject(&:empty?).uniq.sort
    end
  end

  class Customer < Model
    attribute :name
    attribute :email
    attribute :country, :string, default: "FR"
    attribute :vip, :boolean, default: false
    attribute :notes

    validates :name, presence: true
    validates :email, presence: true, format: EMAIL_PATTERN
    validates :country, format: /\A[A-Z]{2}\z/

    def display_name
      vip? ? "#{name} ★" : name
    end

    def gravatar_url(size: 80)
      digest = Digest::MD5.hexdigest(email.to_s.downcase.strip)
      "https://www.gravatar.com/avatar/#{digest}?s=#{size}&d=identicon"
    end
  end

  class Order < Model
    STATES = %w[draft placed paid shipped delivered cancelled refunded].freeze
    TRANSITIONS = {
      "draft" => %w[placed cancelled],
      "placed" => %w[paid cancelled],
      "paid" => %w[shipped refunded],
      "shipped" => %w[delivered],
      "delivered" => %w[refunded],
      "cancelled" => [],
      "refunded" => [],
    }.freeze

    LineItem = Struct.new(:sku, :quantity, :unit_price, keyword_init: true) do
      def total
        unit_price * quantity
      end

      def to_h
        { sku: sku, quantity: quantity, unit_price: unit_price.to_h }
      end
    end

    attribute :customer_id, :integer
    attribute :state, :string, default: "draft"
    attribute :items, :list, default: -> { [] }
    attribute :placed_at, :time
    attribute :shipping_address
    attribute :coupon

    validates :customer_id, presence: true, numericality: :positive
    validates :state, inclusion: STATES
    validate do
      add_error(:items, "can't be empty") if state != "draft" && items.empty?
    end

    STATES.each do |target|
      define_method(:"#{target}?") { state == target }
    end

    def add_item(product, quantity = 1)
      raise Error, "cannot change a #{state} order" unless draft?

      existing = line_items.find { |item| item.sku == product.sku }
      if existing
        existing.quantity += quantity
      else
        items << LineItem.new(sku: product.sku, quantity: quantity, unit_price: product.price).to_h
      end
      changes[:items] = [nil, items]
      self
    end

    def line_items
      items.map do |item|
        item = item.transform_keys(&:to_sym)
        price = item[:unit_price]
        price = Money.new(price[:cents] || price["cents"], price[:currency] || price["currency"]) if price.is_a?(Hash)
        LineItem.new(sku: item[:sku], quantity: item[:quantity].to_i, unit_price: price)
      end
    end

    def subtotal
      line_items.map(&:total).reduce(Money.zero, :+)
    end

    def discount
      return Money.zero unless coupon

      case coupon
      when /\APERCENT(\d{1,2})\z/ then subtotal * (Regexp.last_match(1).to_i / 100.0)
      when /\AFLAT(\d+)\z/ then Money.new($1.to_i * 100)
      when "FREESHIP" then shipping_cost
      else Money.zero
      end
    end

    def shipping_cost
      weight = line_items.sum(&:quantity)
      return Money.zero if subtotal >= Money.new(100_00)

      Money.new(4_90 + [weight - 1, 0].max * 1_50)
    end

    def total
      [subtotal - discount + shipping_cost, Money.zero].max
    end

    def transition_to!(new_state)
      allowed = TRANSITIONS.fetch(state)
      unless allowed.include?(new_state.to_s)
        raise Error, "illegal transition #{state} -> #{new_state} (allowed: #{allowed.join(', ').then { |s| s.empty? ? 'none' : s }})"
      end

      self.placed_at = Time.now.utc if new_state.to_s == "placed"
      self.state = new_state.to_s
      save!
    end
  end

  # An in-process event bus: handlers subscribe to event names (or patterns).
  class EventBus
    Event = Struct.new(:name, :payload, :at)

    def initialize
      @handlers = Hash.new { |h, k| h[k] = [] }
      @history = []
    end

    def subscribe(pattern, callable = nil, &block)
      handler = callable || block or raise ArgumentError, "a handler is required"
      @handlers[pattern] << handler
      -> { @handlers[pattern].delete(handler) }
    end

    def publish(name, **payload)
      event = Event.new(name.to_s, payload, Time.now)
      @history.push(event).shift while @history.size > 1_000
      @history << event
      matching(event.name).each do |handler|
        handler.call(event)
      rescue StandardError => e
        warn "handler for #{event.name} failed: #{e.class}: #{e.message}"
      end
      event
    end

    def recent(count = 10, name: nil)
      events = name ? @history.select { |e| e.name == name } : @history
      events.last(count)
    end

    private

    def matching(name)
      @handlers.each_with_object([]) do |(pattern, handlers), out|
        out.concat(handlers) if pattern === name || pattern == :all
      end
    end
  end

  # Routing for a tiny JSON API: "GET /products/:id" style patterns.
  class Router
    Route = Struct.new(:verb, :pattern, :keys, :handler)

    def initialize
      @routes = []
    end

    %w[get post put patch delete].each do |verb|
      define_method(verb) do |path, to: nil, &block|
        add(verb.upcase, path, to || block)
      end
    end

    def resources(name, only: %i[index show create update destroy])
      base = "/#{name}"
      get(base) { |req| [200, controller(name).index(req)] } if only.include?(:index)
      get("#{base}/:id") { |req| [200, controller(name).show(req)] } if only.include?(:show)
      post(base) { |req| [201, controller(name).create(req)] } if only.include?(:create)
      patch("#{base}/:id") { |req| [200, controller(name).update(req)] } if only.include?(:update)
      delete("#{base}/:id") { |req| [204, controller(name).destroy(req)] } if only.include?(:destroy)
    end

    def call(env)
      verb = env.fetch("REQUEST_METHOD", "GET")
      path = env.fetch("PATH_INFO", "/").chomp("/")
      path = "/" if path.empty?
      @routes.each do |route|
        next unless route.verb == verb

        match = route.pattern.match(path) or next
        params = route.keys.zip(match.captures).to_h
        request = { params: params, query: parse_query(env["QUERY_STRING"]), body: env["rack.input"]&.read }
        status, body = route.handler.call(request)
        return [status, { "content-type" => "application/json" }, [JSON.generate(body)]]
      end
      [404, { "content-type" => "application/json" }, [%({"error":"no route for #{verb} #{path}"})]]
    rescue NotFound => e
      [404, { "content-type" => "application/json" }, [JSON.generate(error: e.message)]]
    rescue ValidationFailed => e
      [422, { "content-type" => "application/json" }, [JSON.generate(errors: e.errors)]]
    end

    private

    def add(verb, path, handler)
      keys = []
      source = path.gsub(%r{:(\w+)}) do
        keys << Regexp.last_match(1).to_sym
        "([^/]+)"
      end
      @routes << Route.new(verb, Regexp.new("\\A#{source}\\z"), keys, handler)
    end

    def parse_query(string)
      return {} if string.nil? || string.empty?

      string.split("&").each_with_object({}) do |pair, out|
        key, value = pair.split("=", 2).map { |part| part.tr("+", " ").gsub(/%([0-9A-Fa-f]{2})/) { $1.hex.chr } }
        out[key.to_sym] = value
      end
    end

    def controller(name)
      @controllers ||= {}
      @controllers[name] ||= Controllers.const_get(name.to_s.split("_").map(&:capitalize).join).new
    end
  end

  module Controllers
    class Base
      def paginate(scope, query)
        page = [query.fetch(:page, 1).to_i, 1].max
        size = Configuration[:page_size]
        items = scope.drop((page - 1) * size).first(size)
        { page: page, per_page: size, total: scope.size, items: items.map(&:to_h) }
      end
    end

    class Products < Base
      def index(req)
        scope = Product.all.select(&:active?)
        scope = scope.select { |p| p.tags.include?(req[:query][:tag]) } if req[:query][:tag]
        scope = scope.sort_by { |p| [p.name.downcase, p.sku] }
        paginate(scope, req[:query])
      end

      def show(req)
        Product.find(req[:params][:id]).to_h
      end

      def create(req)
        attrs = JSON.parse(req[:body].to_s, symbolize_names: true)
        Product.create(**attrs.slice(:sku, :name, :description, :price, :quantity, :tags)).to_h
      end

      def update(req)
        product = Product.find(req[:params][:id])
        attrs = JSON.parse(req[:body].to_s, symbolize_names: true)
        attrs.each { |key, value| product.public_send(:"#{key}=", value) if Product.attributes.key?(key) }
        product.save!.to_h
      end

      def destroy(req)
        Product.find(req[:params][:id]).destroy
        nil
      end
    end

    class Orders < Base
      def index(req)
        state = req[:query][:state]
        scope = state ? Order.where(state: state) : Order.all
        paginate(scope.sort_by { |o| -o.id }, req[:query])
      end

      def show(req)
        order = Order.find(req[:params][:id])
        order.to_h.merge(subtotal: order.subtotal.to_s, total: order.total.to_s)
      end
    end
  end

  # Plain-text and HTML reports. Heredocs keep the templates readable.
  class Report
    COLUMN_WIDTHS = { sku: 14, name: 32, quantity: 8, price: 12 }.freeze

    def initialize(products, title: "Stock report", generated_at: Time.now)
      @products = products
      @title = title
      @generated_at = generated_at
    end

    def to_text
      header = <<~TEXT
        #{@title}
        #{'=' * @title.length}
        Generated #{@generated_at.strftime('%Y-%m-%d %H:%M')} - #{@products.size} products

      TEXT
      rows = @products.map { |product| text_row(product) }
      footer = <<~TEXT

        Low stock: #{low_stock.map(&:sku).join(', ').then { |s| s.empty? ? '(none)' : s }}
        Total value: #{total_value}
      TEXT
      header + text_row_header + "\n" + rows.join("\n") + "\n" + footer
    end

    def to_html
      <<~HTML
        <!DOCTYPE html>
        <html lang="en">
          <head>
            <meta charset="utf-8">
            <title>#{escape(@title)}</title>
            <style>
              table { border-collapse: collapse; width: 100%; }
              td, th { padding: 4px 8px; border-bottom: 1px solid #ddd; }
              tr.low td { color: #b00; }
            </style>
          </head>
          <body>
            <h1>#{escape(@title)}</h1>
            <table>
              <tr>#{COLUMN_WIDTHS.keys.map { |key| "<th>#{key.to_s.capitalize}</th>" }.join}</tr>
        #{@products.map { |product| html_row(product) }.join("\n")}
            </table>
            <p class="summary">#{@products.count(&:low_stock?)} of #{@products.size} products are low on stock.</p>
          </body>
        </html>
      HTML
    end

    def to_csv(separator: ",")
      lines = [COLUMN_WIDTHS.keys.join(separator)]
      @products.each do |product|
        fields = [product.sku, product.name, product.quantity, product.price]
        lines << fields.map { |field| csv_escape(field.to_s, separator) }.join(separator)
      end
      lines.join("\r\n") << "\r\n"
    end

    def to_markdown
      out = +"| SKU | Name | Qty | Price |\n|---|---|---:|---:|\n"
      @products.each do |p|
        out << "| `#{p.sku}` | #{p.name.gsub('|', '\|')} | #{p.quantity} | #{p.price} |\n"
      end
      out
    end

    private

    def low_stock
      @low_stock ||= @products.select(&:low_stock?)
    end

    def total_value
      @products.map { |p| p.price * p.quantity }.reduce(Money.zero, :+)
    end

    def text_row_header
      COLUMN_WIDTHS.map { |key, width| key.to_s.upcase.ljust(width) }.join(" ").rstrip
    end

    def text_row(product)
      values = {
        sku: product.sku,
        name: truncate(product.name, COLUMN_WIDTHS[:name]),
        quantity: product.quantity.to_s.rjust(COLUMN_WIDTHS[:quantity] - 1),
        price: product.price.to_s.rjust(COLUMN_WIDTHS[:price]),
      }
      values.map { |key, value| value.ljust(COLUMN_WIDTHS[key]) }.join(" ").rstrip
    end

    def html_row(product)
      css = product.low_stock? ? %( class="low") : ""
      cells = [product.sku, product.name, product.quantity, product.price].map { |v| "<td>#{escape(v.to_s)}</td>" }
      %(      <tr#{css}>#{cells.join}</tr>)
    end

    def truncate(text, width)
      text.length > width ? "#{text[0, width - 1]}…" : text
    end

    ESCAPES = { "&" => "&amp;", "<" => "&lt;", ">" => "&gt;", '"' => "&quot;", "'" => "&#39;" }.freeze

    def escape(text)
      text.to_s.gsub(/[&<>"']/, ESCAPES)
    end

    def csv_escape(text, separator)
      return text unless text.include?(separator) || text.include?('"') || text =~ /[\r\n]/

      %("#{text.gsub('"', '""')}")
    end
  end

  # Imports products from CSV-like text, reporting line numbers on errors.
  class Importer
    Result = Struct.new(:created, :updated, :skipped, :errors) do
      def summary
        "#{created} created, #{updated} updated, #{skipped} skipped, #{errors.size} errors"
      end

      def ok?
        errors.empty?
      end
    end

    HEADER = %w[sku name price quantity tags].freeze

    def initialize(io, dry_run: false, on_progress: nil)
      @io = io
      @dry_run = dry_run
      @on_progress = on_progress
    end

    def run
      result = Result.new(0, 0, 0, [])
      header = nil
      @io.each_line.with_index(1) do |line, lineno|
        line = line.chomp
        next if line.strip.empty? || line.start_with?("#")

        fields = split_fields(line)
        if header.nil?
          header = fields.map { |f| f.strip.downcase }
          missing = HEADER - header
          raise Error, "missing columns: #{missing.join(', ')}" unless missing.empty?

          next
        end
        row = header.zip(fields).to_h
        import_row(row, result)
      rescue ValidationFailed, ArgumentError => e
        result.errors << "line #{lineno}: #{e.message}"
      ensure
        @on_progress&.call(lineno)
      end
      result
    end

    private

    def split_fields(line)
      fields = []
      current = +""
      quoted = false
      chars = line.each_char.to_a
      i = 0
      while i < chars.length
        char = chars[i]
        if quoted
          if char == '"' && chars[i + 1] == '"'
            current << '"'
            i += 1
          elsif char == '"'
            quoted = false
          else
            current << char
          end
        elsif char == '"'
          quoted = true
        elsif char == ","
          fields << current
          current = +""
        else
          current << char
        end
        i += 1
      end
      fields << current
    end

    def import_row(row, result)
      attrs = {
        sku: row["sku"].strip.upcase,
        name: row["name"].strip,
        price: Money.parse(row["price"]),
        quantity: Integer(row["quantity"].to_s.strip, 10),
        tags: row["tags"].to_s.split(/[;|]/).map(&:strip),
      }
      existing = Product.where(sku: attrs[:sku]).first
      if existing && existing.to_h.slice(*attrs.keys) == attrs
        result.skipped += 1
      elsif existing
        attrs.each { |key, value| existing.public_send("#{key}=", value) }
        existing.save! unless @dry_run
        result.updated += 1
      else
        @dry_run ? Product.new(**attrs).validate! : Product.create(**attrs)
        result.created += 1
      end
    end
  end

  # Small statistics over order history, used by the "stats" command.
  module Stats
    module_function

    def mean(values)
      return 0.0 if values.empty?

      values.sum.fdiv(values.size)
    end

    def median(values)
      return nil if values.empty?

      sorted = values.sort
      mid = sorted.length / 2
      sorted.length.odd? ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2.0
    end

    def percentile(values, pct)
      raise ArgumentError, "percentile must be within 0..100" unless (0..100).cover?(pct)
      return nil if values.empty?

      sorted = values.sort
      rank = (pct / 100.0) * (sorted.length - 1)
      lower = sorted[rank.floor]
      upper = sorted[rank.ceil]
      lower + (upper - lower) * (rank - rank.floor)
    end

    def histogram(values, buckets: 10, width: 40)
      return [] if values.empty?

      min, max = values.minmax
      step = [(max - min).fdiv(buckets), Float::EPSILON].max
      counts = Array.new(buckets, 0)
      values.each { |v| counts[[((v - min) / step).floor, buckets - 1].min] += 1 }
      peak = counts.max
      counts.each_with_index.map do |count, i|
        low = min + i * step
        bar = "#" * (peak.zero? ? 0 : (count * width / peak))
        format("%8.2f | %-*s %d", low, width, bar, count)
      end
    end

    def top(hash, n = 5)
      hash.sort_by { |key, value| [-value, key.to_s] }.first(n)
    end
  end

  # The command line front end: `stockroom COMMAND [options]`.
  class CLI
    COMMANDS = {
      "list" => "list products (filter with --tag, --low)",
      "show" => "show one product by SKU",
      "import" => "import products from a CSV file",
      "report" => "print a stock report (--format text|html|csv|markdown)",
      "order" => "create an order: order CUSTOMER_ID SKU:QTY ...",
      "stats" => "order statistics",
      "help" => "this message",
    }.freeze

    USAGE = <<~'USAGE'
      Usage: stockroom [--db PATH] [--verbose] COMMAND [ARGS]

      Commands:
    USAGE

    def self.start(argv = ARGV, out: $stdout, err: $stderr)
      new(out: out, err: err).run(argv.dup)
    end

    def initialize(out:, err:)
      @out = out
      @err = err
      @options = { db: Configuration[:database_path], verbose: false, format: "text" }
    end

    def run(argv)
      parser.parse!(argv)
      command = argv.shift || "help"
      store = Store.new(@options[:db], logger: build_logger)
      Model.store = store
      status = dispatch(command, argv)
      store.save! if %w[import order].include?(command) && status.zero?
      status
    rescue OptionParser::ParseError, Error => e
      @err.puts "stockroom: #{e.message}"
      2
    rescue Interrupt
      @err.puts "\ninterrupted"
      130
    end

    private

    def parser
      @parser ||= OptionParser.new do |opts|
        opts.banner = USAGE + COMMANDS.map { |name, text| format("    %-8s %s", name, text) }.join("\n")
        opts.on("--db PATH", "database file (default #{@options[:db]})") { |path| @options[:db] = path }
        opts.on("-v", "--[no-]verbose", "log more") { |flag| @options[:verbose] = flag }
        opts.on("-f", "--format FORMAT", %w[text html csv markdown], "report format") { |f| @options[:format] = f }
        opts.on("--tag TAG", "only products with this tag") { |tag| @options[:tag] = tag }
        opts.on("--low", "only products low on stock") { @options[:low] = true }
        opts.on("--dry-run", "validate without writing") { @options[:dry_run] = true }
        opts.on_tail("-h", "--help") do
          @out.puts opts
          exit
        end
      end
    end

    def build_logger
      Logger.new(@err, level: @options[:verbose] ? Logger::DEBUG : Logger::WARN).tap do |logger|
        logger.formatter = proc { |severity, time, _prog, msg| "[#{time.strftime('%H:%M:%S')}] #{severity[0]} #{msg}\n" }
      end
    end

    def dispatch(command, argv)
      case command
      when "list" then list
      when "show" then show(argv.fetch(0) { raise Error, "show needs a SKU" })
      when "import" then import(argv)
      when "report" then report
      when "order" then order(argv)
      when "stats" then stats
      when "help", "--help", "-h"
        @out.puts parser.help
        0
      else
        @err.puts "stockroom: unknown command #{command.inspect} (try 'stockroom help')"
        1
      end
    end

    def list
      products = Product.all
      products.select! { |p| p.tags.include?(@options[:tag]) } if @options[:tag]
      products.select!(&:low_stock?) if @options[:low]
      products.sort_by!(&:sku)
      products.each do |p|
        flag = p.low_stock? ? " (low)" : ""
        @out.printf("%-14s %-32s %5d %12s%s\n", p.sku, p.name[0, 32], p.quantity, p.price, flag)
      end
      @out.puts "#{products.size} product#{'s' unless products.size == 1}"
      0
    end

    def show(sku)
      product = Product.where(sku: sku.upcase).first or raise NotFound, "no product #{sku}"
      width = product.to_h.keys.map { |k| k.to_s.length }.max
      product.to_h.each { |key, value| @out.puts "#{key.to_s.rjust(width)}: #{value}" }
      0
    end

    def import(paths)
      raise Error, "import needs at least one file" if paths.empty?

      paths.sum do |path|
        File.open(path, "r:bom|utf-8") do |io|
          result = Importer.new(io, dry_run: @options[:dry_run]).run
          @out.puts "#{path}: #{result.summary}"
          result.errors.each { |message| @err.puts "  #{message}" }
          result.ok? ? 0 : 1
        end
      end.clamp(0, 1)
    end

    def report
      products = Product.all.sort_by(&:sku)
      report = Report.new(products)
      @out.write(
        case @options[:format]
        when "html" then report.to_html
        when "csv" then report.to_csv
        when "markdown" then report.to_markdown
        else report.to_text
        end
      )
      0
    end

    def order(argv)
      customer_id, *pairs = argv
      raise Error, "usage: order CUSTOMER_ID SKU:QTY ..." if customer_id.nil? || pairs.empty?

      customer = Customer.find(customer_id)
      order = Order.new(customer_id: customer.id)
      pairs.each do |pair|
        sku, qty = pair.split(":", 2)
        product = Product.where(sku: sku.upcase).first or raise NotFound, "no product #{sku}"
        quantity = Integer(qty || 1)
        product.take(quantity)
        product.save!
        order.add_item(product, quantity)
      end
      order.save!
      order.transition_to!(:placed)
      @out.puts "order ##{order.id} for #{customer.display_name}: #{order.total}"
      0
    end

    def stats
      orders = Order.all.reject(&:draft?)
      totals = orders.map { |o| o.total.cents / 100.0 }
      by_state = orders.group_by(&:state).transform_values(&:count)
      sku_counts = Hash.new(0)
      orders.each { |o| o.line_items.each { |item| sku_counts[item.sku] += item.quantity } }
      @out.puts <<~STATS
        Orders: #{orders.size} (#{by_state.map { |s, n| "#{s}=#{n}" }.join(' ')})
        Mean total: #{format('%.2f', Stats.mean(totals))}  median: #{Stats.median(totals)&.round(2) || '-'}
        95th percentile: #{Stats.percentile(totals, 95)&.round(2) || '-'}
        Best sellers: #{Stats.top(sku_counts).map { |sku, n| "#{sku} (#{n})" }.join(', ')}
      STATS
      Stats.histogram(totals).each { |line| @out.puts line }
      0
    end
  end

  # Helpers that do not belong to one class.
  module Util
    BYTE_UNITS = %w[B KiB MiB GiB TiB].freeze

    def self.human_bytes(n)
      return "0 B" if n.zero?

      exp = [(Math.log(n) / Math.log(1024)).floor, BYTE_UNITS.size - 1].min
      value = n.to_f / (1024**exp)
      exp.zero? ? "#{n} B" : format("%.1f %s", value, BYTE_UNITS[exp])
    end

    def self.slugify(text)
      text.unicode_normalize(:nfkd).encode("ASCII", invalid: :replace, undef: :replace, replace: "")
          .downcase.gsub(/[^a-z0-9]+/, "-").gsub(/\A-+|-+\z/, "")
    end

    def self.deep_symbolize(value)
      case value
      when Hash then value.each_with_object({}) { |(k, v), out| out[k.to_sym] = deep_symbolize(v) }
      when Array then value.map { |v| deep_symbolize(v) }
      else value
      end
    end

    def self.retry_on(*errors, attempts: 3, base_delay: 0.05)
      tries = 0
      begin
        tries += 1
        yield tries
      rescue *errors => e
        raise if tries >= attempts

        sleep(base_delay * (2**(tries - 1)))
        warn "retrying after #{e.class} (attempt #{tries + 1} of #{attempts})"
        retry
      end
    end

    def self.chunked(enum, size)
      return enum_for(__method__, enum, size) unless block_given?

      buffer = []
      enum.each do |item|
        buffer << item
        if buffer.size == size
          yield buffer
          buffer = []
        end
      end
      yield buffer unless buffer.empty?
    end

    def self.wrap(text, width: 72)
      text.split(/\n{2,}/).map do |paragraph|
        paragraph.gsub(/\s+/, " ").strip.scan(/\S.{0,#{width - 2}}\S(?=\s|\z)|\S+/).join("\n")
      end.join("\n\n")
    end
  end
end

if $PROGRAM_NAME == __FILE__
  Stockroom::Configuration.configure do |settings|
    settings[:database_path] = ENV.fetch("STOCKROOM_DB", settings[:database_path])
    settings[:log_level] = :debug if ENV["STOCKROOM_DEBUG"]
  end
  exit Stockroom::CLI.start(ARGV)
end
